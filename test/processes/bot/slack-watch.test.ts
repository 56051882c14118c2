import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { assembleBot, type Bot } from '../../../src/app/assemble.js';
import { createSlackApp, type SlackService } from '../../../src/bot/adapters/slack/slack-app.js';
import { configSchema } from '../../../src/config/schema.js';
import { createCodeBook } from '../../../src/fixes/code-book.js';
import { understand } from '../../../src/intents/understand.js';
import {
  createMemoryFeedbackStore,
  type FeedbackStore,
  type FeedbackVote,
} from '../../../src/store/feedback-store.js';
import {
  type ApiCall,
  type FakeSlackApi,
  signSlackRequest,
  startFakeSlackApi,
} from '../../helpers/slack-api-server.js';
import { directMessage, eventEnvelope, messageTs } from '../../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../../helpers/x224-server.js';
import { renderDialog } from '../../ocr/dialog-images.js';
import { SCENARIOS } from '../../ocr/dialog-scenarios.js';

// Watched channels and screenshots end to end: the real Bolt app (HTTP receiver, signatures,
// WebClient) against the local Slack Web API server, a loopback X.224 server as the RDP host,
// and a loopback file server standing in for files.slack.com (url_private needs the bot token).

// Screenshots are read by real OCR, which is CPU-bound on a busy 2-core box.
vi.setConfig({ testTimeout: 120_000 });

const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const TOKEN = 'xoxb-test-token';
const WATCHED = 'C0WATCH01';
let api: FakeSlackApi;
let rdp: Awaited<ReturnType<typeof startX224Server>>;
let bot: Bot;
let slack: SlackService;
let feedback: FeedbackStore;
const votes: FeedbackVote[] = [];
let eventsUrl: string;
let files: Server;
let filesUrl: string;
const served = new Map<string, Buffer>();
const fileRequests: Array<{ path: string; authorization: string | undefined }> = [];
/** Threads a helpdesk agent already answered: conversations.replies shows their reply. */
const answeredThreads = new Set<string>();
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slack-watch-'));
  api = await startFakeSlackApi();
  api.override('reactions.add', () => ({ body: { ok: true } }));
  api.override('reactions.remove', () => ({ body: { ok: true } }));
  api.override('conversations.replies', (call) => {
    const ts = String(call.args.ts);
    const parent = { ts, user: 'U0USER042', text: 'parent' };
    const agent = { ts: `${ts}1`, user: 'U0AGENT07', text: 'looking at it now', thread_ts: ts };
    return { body: { ok: true, messages: answeredThreads.has(ts) ? [parent, agent] : [parent] } };
  });
  rdp = await startX224Server(CONFIRM.nla);
  files = createServer((request, response) => {
    fileRequests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const body = served.get(request.url ?? '');
    if (!body || request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

  const config = configSchema.parse({
    inventory: [{ name: 'srv-lab-01', address: '127.0.0.1', port: rdp.port }],
    watch: { channels: [{ platform: 'slack', id: WATCHED }] },
  });
  bot = assembleBot({ config });
  const memory = createMemoryFeedbackStore();
  feedback = {
    record: async (vote) => {
      votes.push(vote);
      await memory.record(vote);
    },
    stats: () => memory.stats(),
  };
  const codeBook = createCodeBook();
  const logger = pino({ level: 'silent' });
  slack = createSlackApp({
    settings: {
      mode: 'http',
      botToken: TOKEN,
      signingSecret: SECRET,
      port: 0,
      host: '127.0.0.1',
      apiUrl: api.apiUrl,
    },
    conversation: bot.conversation,
    feedback,
    logger,
    clientOptions: { slackApiUrl: api.apiUrl, retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 50 } },
    watch: {
      channels: config.watch.channels,
      minConfidence: config.watch.minConfidence,
      understand: (text) => understand(text, { codeBook, inventory: config.inventory }),
    },
  });
  const { port } = await slack.start();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  await slack?.stop();
  await bot?.close();
  await rdp?.close();
  await api?.close();
  await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function deliver(envelope: unknown): Promise<number> {
  const body = JSON.stringify(envelope);
  const response = await fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
    body,
  });
  await response.text();
  return response.status;
}

function channelMessage(text: string, extra: Record<string, unknown> = {}) {
  return eventEnvelope({
    type: 'message',
    channel: WATCHED,
    channel_type: 'channel',
    user: 'U0USER042',
    text,
    ts: messageTs(),
    team: 'T0TEST01',
    ...extra,
  });
}

const reactionsOn = (ts: string) =>
  api.calls
    .filter((c) => c.method.startsWith('reactions.') && c.args.timestamp === ts)
    .map((c) => `${c.method}:${c.args.name}`);
const postsInThread = (ts: string) =>
  api.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts);
const tsOf = (call: ApiCall | undefined) => (call?.response as { ts?: string } | undefined)?.ts;
const isFinal = (call: ApiCall) => JSON.stringify(call.args.blocks ?? '').includes('Triage took');

/** Sends an RDP failure to the watched channel and waits until it is answered and marked ✅. */
async function answeredFailure(text: string) {
  const event = channelMessage(text);
  expect(await deliver(event)).toBe(200);
  const ts = event.event.ts;
  await api.waitFor(() => reactionsOn(ts).includes('reactions.add:white_check_mark'), 60_000);
  return { ts, post: postsInThread(ts)[0] };
}

describe('a watched channel', () => {
  test('an RDP failure is answered in its thread, unasked, marked 👀 then ✅', async () => {
    const { ts, post } = await answeredFailure(
      "rdp to srv-lab-01 fails: This computer can't connect to the remote computer. Error code: 0x904 Extended error code: 0x7",
    );
    expect(post?.args.thread_ts).toBe(ts);
    expect(post?.args.text).toContain(`Probing srv-lab-01:${rdp.port}`);
    const final = api.calls.filter((c) => c.method === 'chat.update' && c.args.ts === tsOf(post)).at(-1);
    expect(final && isFinal(final)).toBe(true);
    expect(JSON.stringify(final?.args.blocks)).toContain('NLA');
    // 👀 before the first post, removed, then ✅ after the final edit.
    expect(reactionsOn(ts)).toEqual([
      'reactions.add:eyes',
      'reactions.remove:eyes',
      'reactions.add:white_check_mark',
    ]);
    const eyes = api.calls.find((c) => c.method === 'reactions.add' && c.args.timestamp === ts);
    const done = api.calls.find((c) => c.args.name === 'white_check_mark' && c.args.timestamp === ts);
    expect((eyes?.at ?? 0) <= (post?.at ?? 0)).toBe(true);
    expect((done?.at ?? 0) >= (final?.at ?? Number.POSITIVE_INFINITY)).toBe(true);
  });

  test.for([
    { desc: 'a thank-you', text: 'thanks!' },
    { desc: 'a VPN question', text: 'GlobalProtect VPN keeps disconnecting every 10 minutes, anyone else?' },
    { desc: 'small talk', text: 'good morning team' },
    { desc: 'an RDP access request', text: 'who owns srv-lab-01? need to ask for RDP access' },
  ])('$desc gets no reply and no reaction', async ({ text }) => {
    const quiet = channelMessage(text);
    expect(await deliver(quiet)).toBe(200);
    // A failure sent after it is answered; by then the quiet one was decided long ago.
    await answeredFailure('rdp 0x204 on srv-lab-01, error code 0x204 since this morning');
    expect(postsInThread(quiet.event.ts)).toEqual([]);
    expect(reactionsOn(quiet.event.ts)).toEqual([]);
  });

  test('a failure a helpdesk agent already answered in its thread is left alone', async () => {
    const event = channelMessage('rdp 0x904 extended 0x7 on srv-lab-01');
    answeredThreads.add(event.event.ts);
    await deliver(event);
    await api.waitFor((calls) =>
      calls.some((c) => c.method === 'conversations.replies' && c.args.ts === event.event.ts),
    );
    await answeredFailure('Remote Desktop to srv-lab-01: error code 0x204');
    expect(postsInThread(event.event.ts)).toEqual([]);
    expect(reactionsOn(event.event.ts)).toEqual([]);
  });

  test('replies inside a thread are never answered unasked', async () => {
    const parent = messageTs();
    const reply = channelMessage('same here, rdp 0x204 on srv-lab-01', { thread_ts: parent });
    await deliver(reply);
    await answeredFailure('rdp error code 0x204 on srv-lab-01');
    expect(api.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === parent)).toEqual(
      [],
    );
  });

  test('"wrong" in the thread and 👎 on the answer are recorded as feedback', async () => {
    const { ts, post } = await answeredFailure('rdp 0x904 extended 0x7 on srv-lab-01');
    const firstFix = JSON.stringify(
      api.calls.filter((c) => c.method === 'chat.update' && c.args.ts === tsOf(post)).at(-1)?.args.blocks,
    );
    await deliver(channelMessage('wrong, NLA is not the problem here', { thread_ts: ts, user: 'U0AGENT07' }));
    await deliver(
      eventEnvelope({
        type: 'reaction_added',
        user: 'U0AGENT08',
        reaction: '-1',
        item: { type: 'message', channel: WATCHED, ts: tsOf(post) },
        item_user: 'UBOT0001',
        event_ts: messageTs(),
        ts: messageTs(),
      }),
    );
    await expect.poll(() => votes.filter((vote) => vote.triageId === `${WATCHED}:${ts}`).length).toBe(2);
    const recorded = votes.filter((vote) => vote.triageId === `${WATCHED}:${ts}`);
    expect(recorded.map((vote) => [vote.user, vote.helped])).toEqual([
      ['U0AGENT07', false],
      ['U0AGENT08', false],
    ]);
    // Against the fix ranked first, with the triage's codes, like the "Didn't help" button.
    expect(firstFix).toContain(recorded[0]?.fixId);
    expect(recorded[0]?.codes).toEqual(expect.arrayContaining(['0x904', '0x7']));
  });
});

describe('screenshots', () => {
  test('a screenshot DM: downloaded with the bot token, the reply names the codes read', {
    timeout: 120_000,
  }, async () => {
    const scenario = SCENARIOS.find((s) => s.id === 'cant-connect-904-7');
    if (!scenario) throw new Error('scenario missing');
    const image = await renderDialog(scenario, { scale: 1.25, theme: 'light', font: 'DejaVu-Sans' }, dir);
    served.set('/files/dialog.png', await readFile(image.file));
    const dm = directMessage('', {
      channel: 'D0SHOT001',
      subtype: 'file_share',
      files: [
        {
          id: 'F0SHOT01',
          name: 'dialog.png',
          mimetype: 'image/png',
          url_private_download: `${filesUrl}/files/dialog.png`,
        },
      ],
    });
    expect(await deliver(dm)).toBe(200);
    await api.waitFor(
      (calls) =>
        calls.some(
          (c) => c.args.channel === 'D0SHOT001' && String(c.args.text).includes('From your screenshot'),
        ),
      90_000,
    );
    const shown = api.calls.find(
      (c) => c.args.channel === 'D0SHOT001' && String(c.args.text).includes('From your screenshot'),
    );
    expect(shown?.args.text).toContain('From your screenshot: 0x904 / 0x7 on srv-fin-02');
    expect(fileRequests.find((r) => r.path === '/files/dialog.png')?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('a corrupt image gets a clear reply, not a crash', { timeout: 120_000 }, async () => {
    const scenario = SCENARIOS[0];
    if (!scenario) throw new Error('scenario missing');
    const png = await readFile(
      (await renderDialog(scenario, { scale: 1, theme: 'dark', font: 'DejaVu-Sans' }, dir, 'corrupt-src'))
        .file,
    );
    served.set('/files/broken.png', png.subarray(0, 200));
    const dm = directMessage('', {
      channel: 'D0SHOT002',
      subtype: 'file_share',
      files: [
        {
          id: 'F0SHOT02',
          name: 'broken.png',
          mimetype: 'image/png',
          url_private_download: `${filesUrl}/files/broken.png`,
        },
      ],
    });
    await deliver(dm);
    await api.waitFor((calls) => calls.some((c) => c.args.channel === 'D0SHOT002'), 90_000);
    const reply = api.calls.find((c) => c.args.channel === 'D0SHOT002');
    expect(String(reply?.args.text)).toMatch(/"broken\.png" looks like a picture but is damaged/);
  });

  test('a screenshot attached to an @mention is read too', async () => {
    const scenario = SCENARIOS.find((s) => s.id === 'dns-104');
    if (!scenario) throw new Error('scenario missing');
    const image = await renderDialog(scenario, { scale: 1.5, theme: 'dark', font: 'Liberation-Sans' }, dir);
    served.set('/files/mention.png', await readFile(image.file));
    const event = eventEnvelope({
      type: 'app_mention',
      channel: 'C0MENTION9',
      user: 'U0AGENT01',
      text: '<@UBOT0001> user sent this',
      ts: messageTs(),
      files: [{ id: 'F0SHOT09', name: 'mention.png', url_private_download: `${filesUrl}/files/mention.png` }],
    });
    await deliver(event);
    await api.waitFor(
      (calls) =>
        calls.some(
          (c) => c.args.channel === 'C0MENTION9' && String(c.args.text).includes('From your screenshot'),
        ),
      90_000,
    );
    const shown = api.calls.find(
      (c) => c.args.channel === 'C0MENTION9' && String(c.args.text).includes('From your screenshot'),
    );
    expect(shown?.args.text).toContain('0x104');
    expect(shown?.args.text).toContain('build-agent-7');
    expect(shown?.args.thread_ts).toBe(event.event.ts);
  });

  test('a file URL outside Slack never receives the token', async () => {
    const dm = directMessage('', {
      channel: 'D0SHOT003',
      subtype: 'file_share',
      files: [{ id: 'F0SHOT03', name: 'x.png', url_private_download: 'http://198.51.100.7/files/x.png' }],
    });
    await deliver(dm);
    await api.waitFor((calls) => calls.some((c) => c.args.channel === 'D0SHOT003'), 30_000);
    const reply = api.calls.find((c) => c.args.channel === 'D0SHOT003');
    expect(String(reply?.args.text)).toContain('only fetched from Slack');
  });
});
