import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { startTeams, type TeamsServer } from '../../src/bot/adapters/teams/teams-server.js';
import { configSchema } from '../../src/config/schema.js';
import {
  type ConnectorCall,
  cardOf,
  cardTexts,
  type FakeConnector,
  startFakeConnector,
} from './teams-connector.js';

// Watched Teams channels (issue 12) end to end: channel messages as the Bot Connector delivers
// them under the RSC permission ChannelMessage.Read.Group (no @mention), botbuilder's real
// CloudAdapter, and the local Bot Connector recording what the bot sends. Emulator mode.

const WATCHED = '19:helpdesk0watch@thread.tacv2';
const OTHER = '19:random0chat@thread.tacv2';
let connector: FakeConnector;
let teams: TeamsServer;
let bot: Bot;
let controls = 0;

beforeAll(async () => {
  connector = await startFakeConnector();
  const config = configSchema.parse({ watch: { channels: [{ platform: 'teams', id: WATCHED }] } });
  bot = assembleBot({ config });
  teams = await startTeams({
    conversation: bot.conversation,
    settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
    minUpdateIntervalMs: 0,
    watch: { ...config.watch, understand: bot.understand },
  });
});

afterAll(async () => {
  await teams?.stop();
  await teams?.drain(0);
  await bot?.close();
  await connector?.close();
});

/** A root post (its conversation id carries its own message id) or a reply in a thread. */
function channelPost(channel: string, id: string, text: string, root = id) {
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:1user', name: 'Ada Lovelace', aadObjectId: '6c1e2c1a-0000-4000-8000-000000000001' },
    recipient: { id: '28:rdp-triage-bot', name: 'RDP Triage' },
    conversation: { id: `${channel};messageid=${root}`, conversationType: 'channel', tenantId: 'tenant-1' },
    channelData: { channel: { id: channel }, team: { id: '19:team@thread.tacv2' } },
    text,
  };
}

async function post(body: unknown): Promise<number> {
  const response = await fetch(teams.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

const repliesTo = (id: string) =>
  connector.calls.filter((c: ConnectorCall) => c.path.endsWith(`/activities/${id}`));
const isReport = (call: ConnectorCall) =>
  call.method === 'PUT' && cardTexts(cardOf(call.body)).some((t) => t.startsWith('Triage took'));

test('an RDP failure posted in a watched channel is answered in its thread without an @mention', async () => {
  expect(
    await post(
      channelPost(WATCHED, '1700000000101', 'rdp 0x904 on 127.0.0.1, error code 0x904 since this morning'),
    ),
  ).toBe(200);
  await connector.waitFor((all) => all.some(isReport));
  const first = repliesTo('1700000000101').find((c) => c.method === 'POST' && c.body?.type === 'message');
  expect(first?.body).toMatchObject({ replyToId: '1700000000101' });
  expect(JSON.stringify(cardOf(first?.body))).toContain('0x904');
});

test.for([
  {
    desc: 'a thank-you in the watched channel',
    activity: () => channelPost(WATCHED, '1700000000201', 'thanks!'),
  },
  {
    desc: 'a VPN question in the watched channel',
    activity: () => channelPost(WATCHED, '1700000000202', 'VPN keeps disconnecting every 10 minutes'),
  },
  {
    desc: 'a failure as a thread reply',
    activity: () =>
      channelPost(WATCHED, '1700000000203', 'same here, rdp 0x204 on 127.0.0.1', '1700000000101'),
  },
  {
    desc: 'a failure in a channel that is not watched',
    activity: () => channelPost(OTHER, '1700000000204', 'rdp 0x204 on 127.0.0.1'),
  },
])('$desc gets no answer', async ({ activity }) => {
  const quiet = activity();
  expect(await post(quiet)).toBe(200);
  // A failure posted after it is answered; by then the quiet one was decided.
  controls += 1;
  const control = `17000000003${String(controls).padStart(2, '0')}`;
  await post(channelPost(WATCHED, control, 'Remote Desktop to 127.0.0.1 fails: error code 0x204'));
  await connector.waitFor((all) =>
    all.some((c) => c.path.endsWith(`/activities/${control}`) && c.body?.type === 'message'),
  );
  expect(repliesTo(quiet.id).filter((c) => c.body?.type === 'message')).toEqual([]);
});
