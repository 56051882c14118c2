import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { createSlackApp, type SlackService } from '../../src/bot/adapters/slack/slack-app.js';
import type { SlackBlock } from '../../src/bot/render/slack.js';
import { configSchema } from '../../src/config/schema.js';
import { createMemoryFeedbackStore, type FeedbackStore } from '../../src/store/feedback-store.js';
import { type ApiCall, type FakeSlackApi, startFakeSlackApi } from '../helpers/slack-api-server.js';
import { buttonClick, directMessage, slashCommand } from '../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

// Socket Mode end to end: apps.connections.open on the local Web API answers with the URL of a
// local WebSocket server that speaks Slack's Socket Mode envelopes (hello, events_api,
// slash_commands, interactive; the client acks each envelope_id).

let api: FakeSlackApi;
let wss: WebSocketServer;
let socket: WebSocket | undefined;
const acks: { envelope_id: string; payload?: Record<string, unknown>; at: number }[] = [];
let rdp: Awaited<ReturnType<typeof startX224Server>>;
let bot: Bot;
let slack: SlackService;
let feedback: FeedbackStore;

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => acks.push({ ...JSON.parse(String(data)), at: Date.now() }));
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TEST01' } }));
  });
  api = await startFakeSlackApi();
  const { port } = wss.address() as AddressInfo;
  api.override('apps.connections.open', () => ({
    body: { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t1` },
  }));
  rdp = await startX224Server(CONFIRM.tls);
  bot = assembleBot({
    config: configSchema.parse({ inventory: [{ name: 'srv-lab-01', address: '127.0.0.1', port: rdp.port }] }),
  });
  feedback = createMemoryFeedbackStore();
  slack = createSlackApp({
    settings: {
      mode: 'socket',
      botToken: 'xoxb-socket-test',
      appToken: 'xapp-1-A0TEST01-socket',
      apiUrl: api.apiUrl,
    },
    conversation: bot.conversation,
    feedback,
    logger: pino({ level: 'silent' }),
    clientOptions: { retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 50 } },
  });
  expect(await slack.start()).toEqual({ mode: 'socket' });
});

afterAll(async () => {
  await slack?.stop();
  await bot?.close();
  await rdp?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => wss?.close(resolve));
  await api?.close();
});

let envelopeCounter = 0;
function sendEnvelope(type: string, payload: unknown, extra: Record<string, unknown> = {}): string {
  envelopeCounter += 1;
  const envelope_id = `env-${envelopeCounter}`;
  socket?.send(
    JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', ...extra }),
  );
  return envelope_id;
}
const ackOf = async (id: string) => {
  await api.waitFor(() => acks.some((a) => a.envelope_id === id));
  return acks.find((a) => a.envelope_id === id);
};
const tsOf = (c: ApiCall | undefined) => (c?.response as { ts?: string } | undefined)?.ts;
async function finalIn(channel: string) {
  const post = () => api.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
  const final = () =>
    api.calls.filter(
      (c) =>
        c.method === 'chat.update' &&
        c.args.ts === tsOf(post()) &&
        JSON.stringify(c.args.blocks).includes('Triage took'),
    );
  await api.waitFor(() => final().length > 0);
  return { post: post() as ApiCall, final: final().at(-1) as ApiCall };
}

test('connects with the app token and Slack sees the bot token on Web API calls', () => {
  const open = api.calls.find((c) => c.method === 'apps.connections.open');
  expect(open?.authorization).toBe('Bearer xapp-1-A0TEST01-socket');
  expect(api.calls.find((c) => c.method === 'auth.test')?.authorization).toBe('Bearer xoxb-socket-test');
});

test('a DM over the socket is acked, then answered with post, edits and the report', async () => {
  const dm = directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0SOCKET01' });
  const id = sendEnvelope('events_api', dm, { retry_attempt: 0, retry_reason: '' });
  const ack = await ackOf(id);
  const { post, final } = await finalIn('D0SOCKET01');
  // The ack went out before the triage's first Web API call.
  expect(ack?.at).toBeLessThanOrEqual(post.at);
  expect(post.args.text).toContain('Probing srv-lab-01');
  expect((final.args.blocks as SlackBlock[])[0]).toMatchObject({ type: 'header' });
  expect(JSON.stringify(final.args.blocks)).toContain(':large_green_circle: RDP on srv-lab-01');
});

test('a redelivered envelope (retry_attempt 1) is acked but not triaged again', async () => {
  const dm = directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0SOCKET02' });
  sendEnvelope('events_api', dm, { retry_attempt: 0 });
  await finalIn('D0SOCKET02');
  const again = sendEnvelope('events_api', dm, { retry_attempt: 1, retry_reason: 'timeout' });
  await ackOf(again);
  await slack.idle();
  expect(
    api.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'D0SOCKET02'),
  ).toHaveLength(1);
});

test('/rdp over the socket: the ephemeral answer rides on the ack, the report in the channel', async () => {
  const command = Object.fromEntries(
    new URLSearchParams(slashCommand('0x904 on srv-lab-01', api.respondUrl('sock'), 'C0SOCKET03')),
  );
  const id = sendEnvelope('slash_commands', command);
  const ack = await ackOf(id);
  expect(ack?.payload).toMatchObject({ response_type: 'ephemeral' });
  expect(String(ack?.payload?.text)).toContain('Triaging');
  const { final } = await finalIn('C0SOCKET03');
  expect(JSON.stringify(final.args.blocks)).toContain('Asked by <@U0AGENT01>');
});

test('a button click over the socket records the vote and updates the message', async () => {
  const dm = directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0SOCKET04' });
  sendEnvelope('events_api', dm);
  const { post, final } = await finalIn('D0SOCKET04');
  const block = (final.args.blocks as SlackBlock[]).find(
    (b) => b.type === 'actions' && b.block_id.startsWith('fix:'),
  );
  if (block?.type !== 'actions') throw new Error('no fix buttons');
  const button = {
    ...(block.elements[1] as { action_id: string; value?: string }),
    block_id: block.block_id,
  };
  const click = JSON.parse(
    new URLSearchParams(
      buttonClick(button, { ts: tsOf(post) as string, channel: 'D0SOCKET04' }, api.respondUrl('sb')),
    ).get('payload') as string,
  );
  const updates = api.calls.filter((c) => c.method === 'chat.update').length;
  const id = sendEnvelope('interactive', click);
  await ackOf(id);
  await api.waitFor((calls) => calls.filter((c) => c.method === 'chat.update').length > updates);
  const fixId = block.block_id.slice('fix:'.length);
  expect((await feedback.stats())['0x904']?.[fixId]).toEqual({ helped: 0, notHelped: 1 });
  expect(JSON.stringify(api.calls.at(-1)?.args.blocks)).toContain("<@U0USER001> says this didn't help");
});

test('readiness follows the socket: down when Slack drops it, up again after the reconnect', async () => {
  expect(slack.health()).toEqual({ ok: true });
  const dropped = socket;
  const reconnected = new Promise((resolve) => wss.once('connection', resolve));
  dropped?.terminate();
  await expect
    .poll(() => slack.health(), { timeout: 5000, interval: 20 })
    .toEqual({
      ok: false,
      detail: 'Socket Mode not connected',
    });
  // The client reconnects on its own (apps.connections.open, then hello) after its back-off.
  await reconnected;
  await expect.poll(() => slack.health(), { timeout: 15_000, interval: 50 }).toEqual({ ok: true });
}, 30_000);
