import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { teamsAttachments } from '../../src/bot/adapters/teams/teams-files.js';
import { startTeams, type TeamsServer } from '../../src/bot/adapters/teams/teams-server.js';
import { readRdpAttachments } from '../../src/bot/attachments/rdp-files.js';
import { configSchema } from '../../src/config/schema.js';
import { createMemoryFeedbackStore } from '../../src/store/feedback-store.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';
import {
  type ConnectorCall,
  cardActions,
  cardOf,
  cardTexts,
  type FakeConnector,
  startFakeConnector,
} from './teams-connector.js';

// An .rdp file attached to a Teams message, end to end: a real Bot Framework activity into
// POST /api/messages, botbuilder's CloudAdapter, the file fetched from the local Bot Connector
// (teams-connector.ts) like a pasted image, and a loopback X.224 server as the RDP host.
// Emulator mode (no app id); authentication is tested in teams-auth.test.ts.

let connector: FakeConnector;
let rdp: Awaited<ReturnType<typeof startX224Server>>;
let bot: Bot;
let teams: TeamsServer;

beforeAll(async () => {
  connector = await startFakeConnector();
  rdp = await startX224Server(CONFIRM.nla);
  // The file's port is one the configuration allows, and the only way the bot learns it.
  bot = assembleBot({ config: configSchema.parse({ probes: { rdpPorts: [3389, rdp.port] } }) });
  teams = await startTeams({
    conversation: bot.conversation,
    feedback: createMemoryFeedbackStore(),
    settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
    minUpdateIntervalMs: 0,
  });
});

afterAll(async () => {
  await teams?.stop();
  await teams?.drain(0);
  await bot?.close();
  await rdp?.close();
  await connector?.close();
});

function activity(id: string, text: string, attachments: unknown[]): Record<string, unknown> {
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:1user', name: 'Ada Lovelace', aadObjectId: '6c1e2c1a-0000-4000-8000-000000000001' },
    recipient: { id: '28:rdp-triage-bot', name: 'RDP Triage' },
    conversation: { id: `a:1personal-${id}`, conversationType: 'personal', tenantId: 'tenant-1' },
    text,
    attachments,
  };
}

async function post(body: unknown): Promise<number> {
  const response = await fetch(teams.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

const texts = (call: ConnectorCall | undefined) => cardTexts(cardOf(call?.body));
const isReportIn = (conversation: string) => (call: ConnectorCall) =>
  call.method === 'PUT' &&
  call.path.includes(conversation) &&
  texts(call).some((t) => t.startsWith('Triage took'));

test('the report names the host and port from an attached UTF-8 .rdp file', async () => {
  const path = '/v3/attachments/0-rdp-1/views/original';
  const file = `full address:s:127.0.0.1:${rdp.port}\nprompt for credentials:i:1\nenablecredsspsupport:i:1\n`;
  connector.serveFile(path, Buffer.from(file, 'utf8'));
  const attachments = [
    { contentType: 'application/x-rdp', contentUrl: `${connector.url}${path.slice(1)}`, name: 'lab.rdp' },
  ];
  expect(await post(activity('msg-rdp-1', 'cannot connect with this', attachments))).toBe(200);
  const calls = await connector.waitFor((all) => all.some(isReportIn('a:1personal-msg-rdp-1')), 15_000);

  expect(calls.filter((c) => c.method === 'GET').map((c) => c.path)).toContain(path);
  const card = calls.find(
    (c) => c.method === 'POST' && c.path.includes('msg-rdp-1') && c.body.type === 'message',
  );
  expect(texts(card)).toContain(`Probing 127.0.0.1:${rdp.port}…`);
  const report = texts(calls.find(isReportIn('a:1personal-msg-rdp-1')));
  expect(report).toContain(`Read settings from "lab.rdp": 127.0.0.1:${rdp.port}`);
  expect(report).toContain('Hosts: 127.0.0.1');
  expect(report.some((t) => /RDP on 127\.0\.0\.1/.test(t) && /NLA/.test(t))).toBe(true);
  // "Run probes again" carries the file's settings with the typed words: a rerun reaches the same port.
  const rerun = cardActions(cardOf(calls.find(isReportIn('a:1personal-msg-rdp-1'))?.body)).find(
    (action) => action.verb === 'rdp-triage.rerun',
  );
  expect(rerun?.data.text).toContain(`full address:s:127.0.0.1:${rdp.port}`);
  expect(rerun?.data.text).toContain('cannot connect with this');
});

test('an .rdp file on any other host is not fetched; the card says why', async () => {
  const attachments = [
    { contentType: 'application/x-rdp', contentUrl: 'http://127.0.0.2:9/lab.rdp', name: 'lab.rdp' },
  ];
  expect(await post(activity('msg-rdp-2', 'rdp 0x904 on 127.0.0.1', attachments))).toBe(200);
  const calls = await connector.waitFor((all) => all.some(isReportIn('a:1personal-msg-rdp-2')), 15_000);
  const report = texts(calls.find(isReportIn('a:1personal-msg-rdp-2')));
  expect(report.find((t) => t.includes('lab.rdp'))).toMatch(/only fetched from the Bot Connector/);
});

test('a file sent in a 1:1 chat (file.download.info) is fetched from its SharePoint URL, without the bot token', async () => {
  // The pre-authenticated downloadUrl is on SharePoint: an injected fetch (TeamsFileOptions.fetch) answers for it.
  const requested: Array<{ url: string; authorization: string | null }> = [];
  const fetchFromSharePoint: typeof globalThis.fetch = async (input, init) => {
    requested.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
    const bytes = Buffer.from(
      '\uFEFFfull address:s:srv-fin-02\r\ngatewayhostname:s:rdg.corp.example\r\n',
      'utf16le',
    );
    return new Response(bytes, { status: 200, headers: { 'content-type': 'application/octet-stream' } });
  };
  const downloadUrl = 'https://contoso.sharepoint.com/personal/ada/_layouts/15/download.aspx?UniqueId=1';
  const files = teamsAttachments(
    {
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'Finance.rdp',
          content: { downloadUrl, uniqueId: '1', fileType: 'rdp' },
        },
      ],
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
    },
    { token: async () => 'bot-token', fetch: fetchFromSharePoint },
  );
  const read = await readRdpAttachments(files, AbortSignal.timeout(5000));
  expect(requested).toEqual([{ url: downloadUrl, authorization: null }]);
  expect(read.notes).toEqual(['Read settings from "Finance.rdp": srv-fin-02, via rdg.corp.example']);
  expect(read.settings).toBe('full address:s:srv-fin-02\ngatewayhostname:s:rdg.corp.example');
});
