import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { createSlackApp, type SlackService } from '../../src/bot/adapters/slack/slack-app.js';
import { createEditBudget } from '../../src/bot/conversation/edit-budget.js';
import type { SlackBlock } from '../../src/bot/render/slack.js';
import { configSchema } from '../../src/config/schema.js';
import { createMemoryFeedbackStore, type FeedbackStore } from '../../src/store/feedback-store.js';
import {
  type ApiCall,
  BOT_USER_ID,
  type FakeSlackApi,
  signSlackRequest,
  startFakeSlackApi,
} from '../helpers/slack-api-server.js';
import {
  buttonClick,
  directMessage,
  eventEnvelope,
  mention,
  messageShortcut,
  messageTs,
  slashCommand,
} from '../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

// The real Bolt app (HTTP receiver, signature checks, WebClient) against a local server that
// speaks the Slack Web API, probing a loopback X.224 server that answers like an NLA-only host.

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[yz]/g, 'e');
let api: FakeSlackApi;
let rdp: Awaited<ReturnType<typeof startX224Server>>;
let bot: Bot;
let slack: SlackService;
let feedback: FeedbackStore;
let eventsUrl: string;

beforeAll(async () => {
  api = await startFakeSlackApi();
  rdp = await startX224Server(CONFIRM.nla);
  const config = configSchema.parse({
    inventory: [{ name: 'srv-lab-01', address: '127.0.0.1', port: rdp.port }],
  });
  bot = assembleBot({ config });
  feedback = createMemoryFeedbackStore();
  slack = createSlackApp({
    settings: {
      mode: 'http',
      botToken: 'xoxb-test-token',
      signingSecret: SECRET,
      port: 0,
      host: '127.0.0.1',
    },
    conversation: bot.conversation,
    feedback,
    logger: pino({ level: 'silent' }),
    clientOptions: { slackApiUrl: api.apiUrl, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } },
  });
  const { port } = await slack.start();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  await slack?.stop();
  await bot?.close();
  await rdp?.close();
  await api?.close();
});

async function deliver(
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
  secret = SECRET,
): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signSlackRequest(secret, body), ...headers },
    body,
  });
  return { status: response.status, text: await response.text(), ms: performance.now() - started };
}
const deliverEvent = (envelope: unknown, headers?: Record<string, string>) =>
  deliver(JSON.stringify(envelope), 'application/json', headers);
const FORM = 'application/x-www-form-urlencoded';

const callsIn = (channel: string, method?: string) =>
  api.calls.filter((c) => c.args.channel === channel && (method === undefined || c.method === method));
const blocksOf = (call: ApiCall | undefined) => (call?.args.blocks ?? []) as SlackBlock[];
const isFinal = (call: ApiCall) => JSON.stringify(call.args.blocks ?? '').includes('Triage took');
const tsOf = (c: ApiCall | undefined) => (c?.response as { ts?: string } | undefined)?.ts;
/** Waits for the post matching `which` and its final edit; returns the post. */
const postedTs = async (which: (c: ApiCall) => boolean) => {
  const post = () => api.calls.find((c) => c.method === 'chat.postMessage' && which(c) && tsOf(c));
  await api.waitFor((calls) => {
    const ts = post() && tsOf(post() as ApiCall);
    return calls.some((c) => c.method === 'chat.update' && c.args.ts === ts && isFinal(c));
  });
  return post();
};

test('Bolt (CommonJS) named imports work from ESM', async () => {
  const bolt = await import('@slack/bolt');
  expect(typeof bolt.App).toBe('function');
  expect(typeof bolt.HTTPReceiver).toBe('function');
  expect(typeof bolt.SocketModeReceiver).toBe('function');
  expect(bolt.LogLevel.INFO).toBe('info');
});

describe('direct message', () => {
  test('posts "Probing…" at once, edits the same message, ends with the report', async () => {
    const dm = directMessage('rdp 0x904 on srv-lab-01');
    const channel = dm.event.channel as string;
    const delivery = await deliverEvent(dm);
    expect(delivery.status).toBe(200);
    await postedTs((c) => c.args.channel === channel);
    const calls = callsIn(channel);
    const post = calls[0];
    expect(post?.method).toBe('chat.postMessage');
    expect(post?.authorization).toBe('Bearer xoxb-test-token');
    expect(post?.args.thread_ts).toBeUndefined();
    expect(post?.args.text).toContain(`Probing srv-lab-01:${rdp.port}…`);
    const updates = calls.slice(1);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const update of updates) {
      expect(update.method).toBe('chat.update');
      expect(update.args.ts).toBe(tsOf(post));
    }
    const final = updates.at(-1) as ApiCall;
    const blocks = blocksOf(final);
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'RDP failure · 0x904 · srv-lab-01' },
    });
    const text = JSON.stringify(blocks);
    expect(text).toContain(':large_green_circle: RDP on srv-lab-01');
    expect(text).toContain('NLA');
    expect(text).toContain('*Fixes, most likely first*');
    expect(final.args.text).toContain('most likely fix');
  });

  test('a retried delivery (x-slack-retry-num) starts no second triage', async () => {
    const dm = directMessage('rdp 0x904 on srv-lab-01');
    const channel = 'D0RETRY01';
    dm.event.channel = channel;
    const first = await deliverEvent(dm);
    const retry = await deliverEvent(dm, {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await postedTs((c) => c.args.channel === channel);
    await slack.idle();
    expect(callsIn(channel, 'chat.postMessage')).toHaveLength(1);
  });

  test.for([
    { desc: 'an edit', extra: { subtype: 'message_changed', message: { text: 'rdp 0x904 on srv-lab-01' } } },
    { desc: 'another bot', extra: { bot_id: 'B0OTHER01', subtype: 'bot_message' } },
    { desc: 'its own message', extra: { user: BOT_USER_ID } },
    { desc: 'a channel join', extra: { subtype: 'channel_join' } },
  ])('ignores $desc', async ({ extra }) => {
    const channel = `D0IGN${Math.floor(Math.random() * 1e6)}`;
    const dm = directMessage('rdp 0x904 on srv-lab-01', { ...extra, channel });
    expect((await deliverEvent(dm)).status).toBe(200);
    // A control message after it proves the app is processing events, then nothing for the ignored one.
    const control = directMessage('help', { channel: `${channel}X` });
    await deliverEvent(control);
    await api.waitFor((calls) => calls.some((c) => c.args.channel === `${channel}X`));
    expect(callsIn(channel)).toEqual([]);
  });
});

test('a mention in a channel is answered in the thread of the message', async () => {
  const event = mention('rdp 0x904 on srv-lab-01', { channel: 'C0MENTION1' });
  expect((await deliverEvent(event)).status).toBe(200);
  const post = await postedTs((c) => c.args.channel === 'C0MENTION1');
  expect(post?.args.thread_ts).toBe(event.event.ts);
  expect(blocksOf(post)[0]).toMatchObject({
    type: 'header',
    text: { text: 'RDP failure · 0x904 · srv-lab-01' },
  });
});

test('a mention inside a thread answers in that thread', async () => {
  const parent = messageTs();
  const event = mention('rdp 0x904 on srv-lab-01', { channel: 'C0MENTION2', thread_ts: parent });
  await deliverEvent(event);
  const post = await postedTs((c) => c.args.channel === 'C0MENTION2');
  expect(post?.args.thread_ts).toBe(parent);
});

test('/rdp acks ephemerally at once, then posts a real reply in the channel', async () => {
  const response = await deliver(
    slashCommand('0x904 on srv-lab-01', api.respondUrl('cmd1'), 'C0COMMAND1'),
    FORM,
  );
  expect(response.status).toBe(200);
  const ack = JSON.parse(response.text);
  expect(ack.response_type).toBe('ephemeral');
  expect(ack.text).toContain('Triaging');
  const post = await postedTs((c) => c.args.channel === 'C0COMMAND1');
  expect(post?.args.thread_ts).toBeUndefined();
  const final = callsIn('C0COMMAND1', 'chat.update').at(-1);
  expect(JSON.stringify(blocksOf(final))).toContain('Asked by <@U0AGENT01>');
});

test('/rdp with no text answers with usage, privately, and probes nothing', async () => {
  const response = await deliver(slashCommand('  ', api.respondUrl('cmd2'), 'C0COMMAND2'), FORM);
  expect(JSON.parse(response.text)).toMatchObject({ response_type: 'ephemeral' });
  expect(JSON.parse(response.text).text).toContain('/rdp 0x904 on');
  await slack.idle();
  expect(callsIn('C0COMMAND2')).toEqual([]);
});

test('/rdp in a channel the bot is not in tells the user how to fix it', async () => {
  api.override('chat.postMessage', (call) =>
    call.args.channel === 'C0NOTIN001' ? { body: { ok: false, error: 'not_in_channel' } } : undefined,
  );
  await deliver(slashCommand('0x904 on srv-lab-01', api.respondUrl('cmd3'), 'C0NOTIN001'), FORM);
  await api.waitFor((calls) => calls.some((c) => c.method === 'response_url'));
  const notice = api.calls.find((c) => c.method === 'response_url');
  expect(notice?.args).toMatchObject({ response_type: 'ephemeral' });
  expect(notice?.args.text).toContain('/invite @rdp-triage');
});

test('"Triage this message" runs on the user\'s post and answers in its thread', async () => {
  const ts = messageTs();
  const response = await deliver(
    messageShortcut({ text: 'getting 0x904 on srv-lab-01 since 9am', ts }, api.respondUrl('sc1')),
    FORM,
  );
  expect(response.status).toBe(200);
  const post = await postedTs((c) => c.args.thread_ts === ts);
  expect(post?.args.channel).toBe('C0HELPDSK');
  expect(post?.args.text).toContain('srv-lab-01');
});

describe('buttons on the report', () => {
  let report: { channel: string; ts: string; blocks: SlackBlock[] };
  beforeAll(async () => {
    const dm = directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0BUTTONS1' });
    await deliverEvent(dm);
    const post = await postedTs((c) => c.args.channel === 'D0BUTTONS1');
    const final = callsIn('D0BUTTONS1', 'chat.update').at(-1);
    report = { channel: 'D0BUTTONS1', ts: tsOf(post) ?? '', blocks: blocksOf(final) };
  });
  const buttonsIn = (blocks: SlackBlock[]) =>
    blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => ({ ...e, block_id: b.block_id })) : [],
    );

  test('"This fixed it" records the vote, feeds the statistics and shows it in the message', async () => {
    const helped = buttonsIn(report.blocks).find((b) => b.action_id === 'fix_helped');
    expect(helped).toBeDefined();
    const fixId = helped?.block_id.replace(/^fix:/, '') as string;
    const before = callsIn(report.channel, 'chat.update').length;
    const response = await deliver(buttonClick(helped as never, report, api.respondUrl('b1')), FORM);
    expect(response.status).toBe(200);
    await api.waitFor(() => callsIn(report.channel, 'chat.update').length > before);
    expect(await feedback.stats()).toMatchObject({ '0x904': { [fixId]: { helped: 1, notHelped: 0 } } });
    const updated = callsIn(report.channel, 'chat.update').at(-1);
    expect(updated?.args.ts).toBe(report.ts);
    expect(JSON.stringify(updated?.args.blocks)).toContain(
      ':white_check_mark: <@U0USER001> says this fixed it',
    );
  });

  test('"Didn\'t help" from the same user replaces their vote', async () => {
    const notHelped = buttonsIn(report.blocks).find((b) => b.action_id === 'fix_not_helped');
    const fixId = notHelped?.block_id.replace(/^fix:/, '') as string;
    const before = callsIn(report.channel, 'chat.update').length;
    await deliver(buttonClick(notHelped as never, report, api.respondUrl('b2')), FORM);
    await api.waitFor(() => callsIn(report.channel, 'chat.update').length > before);
    expect((await feedback.stats())['0x904']?.[fixId]).toEqual({ helped: 0, notHelped: 1 });
    expect(JSON.stringify(callsIn(report.channel, 'chat.update').at(-1)?.args.blocks)).toContain(
      "says this didn't help",
    );
  });

  test('"All fixes" expands every fix in place', async () => {
    const showAll = buttonsIn(report.blocks).find((b) => b.action_id === 'show_all_fixes');
    expect(showAll).toBeDefined();
    const shownBefore = buttonsIn(report.blocks).filter((b) => b.action_id === 'fix_helped').length;
    const before = callsIn(report.channel, 'chat.update').length;
    await deliver(buttonClick(showAll as never, report, api.respondUrl('b3')), FORM);
    await api.waitFor(() => callsIn(report.channel, 'chat.update').length > before);
    const expanded = blocksOf(callsIn(report.channel, 'chat.update').at(-1));
    expect(buttonsIn(expanded).filter((b) => b.action_id === 'fix_helped').length).toBeGreaterThan(
      shownBefore,
    );
    expect(buttonsIn(expanded).some((b) => b.action_id === 'show_all_fixes')).toBe(false);
  });

  test('"Run probes again" re-runs the triage in the same message', async () => {
    const rerun = buttonsIn(report.blocks).find((b) => b.action_id === 'rerun_probes');
    expect(rerun?.value).toBe('rdp 0x904 on srv-lab-01');
    const posts = callsIn(report.channel, 'chat.postMessage').length;
    const before = callsIn(report.channel, 'chat.update').length;
    await deliver(buttonClick(rerun as never, report, api.respondUrl('b4')), FORM);
    await api.waitFor(() => callsIn(report.channel, 'chat.update').slice(before).some(isFinal));
    const edits = callsIn(report.channel, 'chat.update').slice(before);
    expect(JSON.stringify(edits[0]?.args.blocks)).toContain('Probing srv-lab-01');
    expect(edits.every((e) => e.args.ts === report.ts)).toBe(true);
    expect(callsIn(report.channel, 'chat.postMessage')).toHaveLength(posts);
  });
});

test('a vote keeps the note about an attached screenshot in the updated message', async () => {
  // The file is refused before any download (not on Slack's file host): the reply carries a note.
  const dm = directMessage('rdp 0x904 on srv-lab-01', {
    channel: 'D0NOTE0001',
    subtype: 'file_share',
    files: [
      { id: 'F0NOTE01', name: 'dialog.png', url_private_download: 'http://198.51.100.7/files/dialog.png' },
    ],
  });
  await deliverEvent(dm);
  const post = await postedTs((c) => c.args.channel === 'D0NOTE0001');
  const final = blocksOf(callsIn('D0NOTE0001', 'chat.update').at(-1));
  const note = final[1];
  expect(note?.type).toBe('context');
  expect(JSON.stringify(note)).toContain('dialog.png');
  const vote = final.find((b) => b.type === 'actions' && b.block_id.startsWith('fix:'));
  if (vote?.type !== 'actions') throw new Error('no vote buttons');
  const before = callsIn('D0NOTE0001', 'chat.update').length;
  await deliver(
    buttonClick(
      { ...(vote.elements[0] as { action_id: string; value?: string }), block_id: vote.block_id },
      { ts: tsOf(post) ?? '', channel: 'D0NOTE0001' },
      api.respondUrl('n1'),
    ),
    FORM,
  );
  await api.waitFor(() => callsIn('D0NOTE0001', 'chat.update').length > before);
  const updated = blocksOf(callsIn('D0NOTE0001', 'chat.update').at(-1));
  expect(JSON.stringify(updated)).toContain('says this fixed it');
  expect(updated[1]).toEqual(note);
});

describe('request checks', () => {
  test('a wrong signature is refused with 401 and does nothing', async () => {
    const dm = directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0FORGED01' });
    const response = await deliver(JSON.stringify(dm), 'application/json', {}, 'f'.repeat(32));
    expect(response.status).toBe(401);
    await slack.idle();
    expect(callsIn('D0FORGED01')).toEqual([]);
  });

  test('a replayed request older than 5 minutes is refused with 401', async () => {
    const body = JSON.stringify(directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0REPLAY01' }));
    const old = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60);
    const response = await fetch(eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...old },
      body,
    });
    expect(response.status).toBe(401);
  });

  test('url_verification is answered with the challenge', async () => {
    const response = await deliver(
      JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' }),
      'application/json',
    );
    expect(response.status).toBe(200);
    expect(response.text).toContain('c-123');
  });

  test('events are acknowledged before the triage runs', async () => {
    const response = await deliverEvent(
      eventEnvelope({
        type: 'app_mention',
        channel: 'C0FAST0001',
        user: 'U0AGENT01',
        text: `<@${BOT_USER_ID}> rdp 0x904 on srv-lab-01`,
        ts: messageTs(),
      }),
    );
    expect(response.status).toBe(200);
    // The ack went out before the first Web API call of the triage.
    expect(callsIn('C0FAST0001')).toEqual([]);
    await postedTs((c) => c.args.channel === 'C0FAST0001');
  });
});

test('when the workspace edit budget is spent, progress edits are skipped and the final one still goes', async () => {
  const lean = createSlackApp({
    settings: {
      mode: 'http',
      botToken: 'xoxb-test-token',
      signingSecret: SECRET,
      port: 0,
      host: '127.0.0.1',
    },
    conversation: bot.conversation,
    feedback,
    logger: pino({ level: 'silent' }),
    clientOptions: { slackApiUrl: api.apiUrl },
    editBudget: createEditBudget({ perMinute: 0, burst: 0 }),
  });
  const { port } = await lean.start();
  try {
    const body = JSON.stringify(directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0BUDGET01' }));
    await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
      body,
    });
    await postedTs((c) => c.args.channel === 'D0BUDGET01');
    const calls = callsIn('D0BUDGET01');
    expect(calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(isFinal(calls[1] as ApiCall)).toBe(true);
  } finally {
    await lean.stop();
  }
});

test('a 429 from Slack is waited out for its Retry-After, then the message is posted', async () => {
  let limited = 0;
  api.override('chat.postMessage', (call) => {
    if (call.args.channel !== 'D0LIMITED1' || limited > 0) return undefined;
    limited += 1;
    return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
  });
  await deliverEvent(directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0LIMITED1' }));
  await postedTs((c) => c.args.channel === 'D0LIMITED1');
  const attempts = callsIn('D0LIMITED1', 'chat.postMessage');
  expect(attempts).toHaveLength(2);
  expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
});
