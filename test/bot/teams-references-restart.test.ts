import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, test } from 'vitest';
import { type Served, startServe } from '../../src/app/serve.js';
import { TEAMS_STARTER } from '../../src/app/surfaces.js';
import { configSchema } from '../../src/config/schema.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { closedPort } from '../helpers/closed-port.js';
import { cardOf, cardTexts, type FakeConnector, startFakeConnector } from './teams-connector.js';

// A Teams channel the bot learned before a restart is still reached after it (issue 19): serve
// (Emulator mode, no TEAMS_SERVICE_URL, so nothing but an activity there says how to reach the
// helpdesk channel) is installed in the helpdesk channel, stopped, and started again over the same
// store file; the first report after the restart opens an incident, and its helpdesk post goes
// out at once, through the reference kept in the store.

const HELPDESK = '19:helpdesk0restart@thread.tacv2';
const BOT = { id: '28:rdp-triage-bot', name: 'RDP Triage' };
const AGENT = { id: '29:9agent', name: 'Grace Hopper', aadObjectId: 'aad-agent-0009' };
const ADA = { id: '29:1ada', name: 'Ada Lovelace', aadObjectId: 'aad-user-0001' };

let connector: FakeConnector | undefined;
let served: Served | undefined;
let dir = '';

afterEach(async () => {
  await stop();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function stop() {
  for (const surface of served?.surfaces ?? []) await surface.stop();
  await served?.close();
  served = undefined;
}

async function serve(storePath: string, port: number): Promise<string> {
  const config = configSchema.parse({
    probes: { timeoutMs: 1500, rdpPorts: [3389, port] },
    incidents: { openAfterReports: 1, helpdesk: { teams: HELPDESK } },
    store: { path: storePath },
  });
  served = await startServe({
    config,
    env: { TEAMS_ENABLED: 'true', TEAMS_PORT: '0', TEAMS_HOST: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
    surfaces: [TEAMS_STARTER],
  });
  return served.surfaces[0]?.address ?? '';
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a restarted serve posts in a helpdesk channel it learned before the restart', async () => {
  connector = await startFakeConnector();
  const fake = connector;
  dir = mkdtempSync(join(tmpdir(), 'teams-restart-'));
  const storePath = join(dir, 'store.sqlite');
  const port = await closedPort();

  // Before the restart: the bot is added to the helpdesk's team (Teams sends conversationUpdate
  // from the channel, the agent's name and the team's in it). Nothing is posted.
  const before = await serve(storePath, port);
  const installed = {
    type: 'conversationUpdate',
    id: 'f:install-1',
    channelId: 'msteams',
    serviceUrl: fake.url,
    from: AGENT,
    recipient: BOT,
    conversation: { id: HELPDESK, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: {
      eventType: 'teamMemberAdded',
      channel: { id: HELPDESK, name: 'IT helpdesk' },
      team: { id: HELPDESK, name: 'IT' },
    },
    membersAdded: [BOT],
  };
  expect((await post(before, installed)).status).toBe(200);
  await stop();
  expect(fake.calls).toEqual([]);

  // The store holds the channel's address and nothing of who was there or what it is called.
  const db = openDatabase(storePath, { readonly: true });
  try {
    const rows = db.prepare('SELECT platform, key, reference FROM conversation_refs').all() as {
      platform: string;
      key: string;
      reference: string;
    }[];
    expect(rows.map(({ platform, key }) => [platform, key])).toEqual([['teams', HELPDESK]]);
    expect(JSON.parse(rows[0]?.reference ?? '{}')).toEqual({
      serviceUrl: fake.url,
      channelId: 'msteams',
      bot: { id: BOT.id },
      conversation: { id: HELPDESK, isGroup: true, conversationType: 'channel', tenantId: 'tenant-1' },
    });
    expect(rows[0]?.reference).not.toMatch(/Grace|IT helpdesk|RDP Triage|install/);
  } finally {
    db.close();
  }

  // After the restart: Ada's report opens INC-1; the helpdesk post goes out on the first try.
  const after = await serve(storePath, port);
  const report = {
    type: 'message',
    id: 'msg-ada',
    channelId: 'msteams',
    serviceUrl: fake.url,
    from: ADA,
    recipient: BOT,
    conversation: { id: 'a:1ada-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    text: `rdp 0x204 on 127.0.0.1:${port}`,
  };
  expect((await post(after, report)).status).toBe(200);
  const helpdeskPath = `/v3/conversations/${HELPDESK}/activities`;
  const helpdeskPosts = () => fake.calls.filter((c) => c.method === 'POST' && c.path === helpdeskPath);
  await fake.waitFor(() => helpdeskPosts().length === 1, 15_000);
  await served?.incidentsIdle();
  expect(helpdeskPosts()).toHaveLength(1);
  const [helpdeskPost] = helpdeskPosts();
  expect(helpdeskPost?.body).not.toHaveProperty('replyToId');
  expect(cardTexts(cardOf(helpdeskPost?.body))).toContainEqual(
    expect.stringMatching(/^INC-1 · 127\.0\.0\.1/),
  );
}, 60_000);
