import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { createSlackApp, type SlackService } from '../../src/bot/adapters/slack/slack-app.js';
import { configSchema } from '../../src/config/schema.js';
import { createMemoryFeedbackStore } from '../../src/store/feedback-store.js';
import {
  type ApiCall,
  type FakeSlackApi,
  signSlackRequest,
  startFakeSlackApi,
} from '../helpers/slack-api-server.js';
import { directMessage } from '../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

// An .rdp file attached to a Slack DM, end to end: the real Bolt app (HTTP receiver, signatures,
// WebClient) against the local Slack Web API server, a loopback file server standing in for
// files.slack.com (url_private needs the bot token), and a loopback X.224 server as the RDP host.

const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const TOKEN = 'xoxb-test-token';
const PASSWORD_BLOB = `01000000D08C9DDF0115D1118C7A00C04FC297EB01000000${'5C'.repeat(120)}`;
let api: FakeSlackApi;
let rdp: Awaited<ReturnType<typeof startX224Server>>;
let bot: Bot;
let slack: SlackService;
let eventsUrl: string;
let files: Server;
let filesUrl: string;
const served = new Map<string, Buffer>();
const fileRequests: Array<{ path: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  api = await startFakeSlackApi();
  rdp = await startX224Server(CONFIRM.nla);
  files = createServer((request, response) => {
    fileRequests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const body = served.get(request.url ?? '');
    if (!body || request.headers.authorization !== `Bearer ${TOKEN}`)
      return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/x-rdp' }).end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const config = configSchema.parse({
    inventory: [{ name: 'srv-lab-01', address: '127.0.0.1', port: rdp.port }],
  });
  bot = assembleBot({ config });
  slack = createSlackApp({
    // apiUrl: the file server shares the fake API's host (127.0.0.1), so the token may go there.
    settings: {
      mode: 'http',
      botToken: TOKEN,
      signingSecret: SECRET,
      port: 0,
      host: '127.0.0.1',
      apiUrl: api.apiUrl,
    },
    conversation: bot.conversation,
    feedback: createMemoryFeedbackStore(),
    logger: pino({ level: 'silent' }),
    clientOptions: { slackApiUrl: api.apiUrl, retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 50 } },
  });
  const { port } = await slack.start();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  await slack?.stop();
  await bot?.close();
  await rdp?.close();
  await api?.close();
  files?.closeAllConnections();
  await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
});

async function deliver(envelope: unknown): Promise<number> {
  const body = JSON.stringify(envelope);
  const response = await fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
    body,
  });
  return response.status;
}

const inChannel = (channel: string) => api.calls.filter((c) => c.args.channel === channel);
const isFinal = (call: ApiCall) => JSON.stringify(call.args.blocks ?? '').includes('Triage took');

test('a DM with only the .rdp file mstsc saved: the report probes the host named in the file and says so', async () => {
  const mstsc = [
    'screen mode id:i:2',
    'desktopwidth:i:1920',
    'full address:s:srv-lab-01',
    'username:s:CORP\\jdoe',
    `password 51:b:${PASSWORD_BLOB}`,
    'authentication level:i:2',
    'gatewayhostname:s:rdg.corp.example',
    'gatewayusagemethod:i:4',
    '',
  ].join('\r\n');
  // mstsc writes .rdp files as UTF-16LE with a byte-order mark.
  served.set('/files/app.rdp', Buffer.from(`\uFEFF${mstsc}`, 'utf16le'));
  const dm = directMessage('', {
    channel: 'D0RDPFILE1',
    subtype: 'file_share',
    files: [
      {
        id: 'F0RDP0001',
        name: 'app.rdp',
        mimetype: 'application/x-rdp',
        url_private_download: `${filesUrl}/files/app.rdp`,
      },
    ],
  });
  expect(await deliver(dm)).toBe(200);
  await api.waitFor((calls) => calls.some((c) => c.args.channel === 'D0RDPFILE1' && isFinal(c)), 15_000);

  expect(fileRequests.find((r) => r.path === '/files/app.rdp')?.authorization).toBe(`Bearer ${TOKEN}`);
  const [post, ...edits] = inChannel('D0RDPFILE1');
  expect(post?.method).toBe('chat.postMessage');
  expect(post?.args.text).toContain(`Probing srv-lab-01:${rdp.port}…`);
  const final = JSON.stringify(edits.at(-1)?.args.blocks);
  expect(final).toContain(
    'Read settings from \\"app.rdp\\": srv-lab-01, (gateway rdg.corp.example not used), authentication level 2',
  );
  expect(final).toContain(':large_green_circle: RDP on srv-lab-01');
  expect(final).toContain('NLA');
  // Nothing the bot sent carries the saved credentials or the user name from the file.
  const sent = JSON.stringify(inChannel('D0RDPFILE1'));
  expect(sent).not.toContain('D08C9DDF');
  expect(sent).not.toContain('jdoe');
  // "Run probes again" carries the file's settings (the message itself was empty), so a rerun
  // probes the same host without the file.
  const buttons = (
    (edits.at(-1)?.args.blocks ?? []) as {
      type: string;
      elements?: { action_id?: string; value?: string }[];
    }[]
  ).flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
  const rerun = buttons.find((button) => button.action_id === 'rerun_probes');
  expect(rerun?.value).toContain('full address:s:srv-lab-01');
  expect(rerun?.value).not.toContain('D08C9DDF');
});

test('a damaged .rdp file gets a clear answer, not a crash', async () => {
  served.set('/files/broken.rdp', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01, 0x02, 0x03]));
  const dm = directMessage('', {
    channel: 'D0RDPFILE2',
    subtype: 'file_share',
    files: [{ id: 'F0RDP0002', name: 'broken.rdp', url_private_download: `${filesUrl}/files/broken.rdp` }],
  });
  expect(await deliver(dm)).toBe(200);
  await api.waitFor((calls) => calls.some((c) => c.args.channel === 'D0RDPFILE2'), 15_000);
  const [reply] = inChannel('D0RDPFILE2');
  expect(reply?.method).toBe('chat.postMessage');
  expect(String(reply?.args.text)).toContain('"broken.rdp" is not a text file');
});
