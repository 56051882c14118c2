import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { type Served, startServe } from '../../../src/app/serve.js';
import { TEAMS_STARTER } from '../../../src/app/surfaces.js';
import { loadConfig } from '../../../src/config/load-config.js';
import {
  type ConnectorCall,
  cardOf,
  cardTexts,
  type FakeConnector,
  postedActivityId,
  startFakeConnector,
} from '../../bot/teams-connector.js';
import { closedPort } from '../../helpers/closed-port.js';
import { runCli } from '../../helpers/run-cli.js';

// `rdp-triage monitor --once` from cron tells Teams what changed, as serve would (issue 19): a
// post-only botbuilder adapter writes through the local Bot Connector (teams-connector.ts) to the
// conversations serve learned and kept in the store. Emulator mode with no TEAMS_SERVICE_URL, so
// the helpdesk channel is reachable only through the reference serve learned when it was
// installed there. serve takes Ada's report of a down host (INC-1, posted by serve); then, with
// serve stopped, the monitor passes open a monitor's incident (INC-2: a new helpdesk post by the
// CLI), and once Ada's host is back, resolve INC-1: its post edited in place, Ada told in her chat.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const HELPDESK = '19:helpdesk0cron@thread.tacv2';
const HELPDESK_PATH = `/v3/conversations/${HELPDESK}/activities`;
const ADA_PATH = '/v3/conversations/a:1ada-chat/activities';
const BOT = { id: '28:rdp-triage-bot', name: 'RDP Triage' };

let dir = '';
let config = '';
let connector: FakeConnector;
let served: Served | undefined;
let revived: Server | undefined;
let adaPort = 0;
beforeAll(async () => {
  connector = await startFakeConnector();
  dir = await mkdtemp(join(tmpdir(), 'rdp-monitor-teams-'));
  config = join(dir, 'bot.yaml');
  // Two loopback hosts: the monitor watches one, Ada reports the other, so they are two incidents.
  const monitorPort = await closedPort('127.0.0.1');
  adaPort = await closedPort('127.0.0.2');
  await writeFile(
    config,
    [
      `store: { path: ${join(dir, 'store.sqlite')} }`,
      `probes: { timeoutMs: 1500, rdpPorts: [3389, ${monitorPort}, ${adaPort}] }`,
      `incidents: { openAfterReports: 1, helpdesk: { teams: "${HELPDESK}" } }`,
      `monitors: [{ name: fin-rdp, host: "127.0.0.1:${monitorPort}" }]`,
    ].join('\n'),
  );
});
afterAll(async () => {
  for (const surface of served?.surfaces ?? []) await surface.stop();
  await served?.close();
  await connector?.close();
  if (revived) await new Promise((resolve) => revived?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ENV = { TEAMS_ENABLED: 'true' };
const monitor = async () => {
  const run = await runCli(['monitor', '--once', '--json', '--config', config], { env: ENV });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).not.toMatch(/lost after retries|failed; retrying/);
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { change: string; incident?: { id: string } });
};
const changes = (run: { change: string; incident?: { id: string } }[]) =>
  run.map(({ change, incident }) => `${incident?.id} ${change}`).sort();
const texts = (call: ConnectorCall | undefined) => cardTexts(cardOf(call?.body));
const helpdeskPosts = () => connector.calls.filter((c) => c.method === 'POST' && c.path === HELPDESK_PATH);

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

test('monitor --once posts a new incident in the Teams helpdesk channel serve learned, edits a resolved one and tells its reporter', async () => {
  // serve, as it runs all day: installed in the helpdesk channel, then Ada writes in her 1:1 chat.
  served = await startServe({
    config: await loadConfig(config),
    env: { ...ENV, TEAMS_PORT: '0', TEAMS_HOST: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
    surfaces: [TEAMS_STARTER],
  });
  const url = served.surfaces[0]?.address ?? '';
  await post(url, {
    type: 'conversationUpdate',
    id: 'f:install-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:9agent', name: 'Grace Hopper' },
    recipient: BOT,
    conversation: { id: HELPDESK, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { eventType: 'teamMemberAdded', channel: { id: HELPDESK }, team: { id: HELPDESK } },
    membersAdded: [BOT],
  });
  await post(url, {
    type: 'message',
    id: 'msg-ada',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:1ada', name: 'Ada Lovelace', aadObjectId: 'aad-user-0001' },
    recipient: BOT,
    conversation: { id: 'a:1ada-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    text: `rdp 0x204 on 127.0.0.2:${adaPort}`,
  });
  await connector.waitFor(
    () =>
      helpdeskPosts().length === 1 &&
      connector.calls.some(
        (c) =>
          c.method === 'PUT' &&
          c.path.startsWith(`${ADA_PATH}/`) &&
          texts(c).some((t) => t.startsWith('Triage took')),
      ),
    20_000,
  );
  await served.incidentsIdle();
  const adaPost = helpdeskPosts()[0];
  expect(texts(adaPost)).toContainEqual(expect.stringMatching(/^INC-1 · 127\.0\.0\.2/));
  const adaPostId = postedActivityId(connector, adaPost);
  for (const surface of served.surfaces) await surface.stop();
  await served.close();
  served = undefined;
  const beforeCron = connector.calls.length;

  // From cron, serve stopped. The monitor's first failure: nothing to tell; INC-1 still failing.
  expect(changes(await monitor())).toEqual(['INC-1 failing']);
  expect(connector.calls.slice(beforeCron)).toEqual([]);

  // Its second failure in a row opens INC-2: one new post in the helpdesk channel (a new thread,
  // not a reply), through the reference serve learned: nothing else says how to reach it.
  expect(changes(await monitor())).toEqual(['INC-1 failing', 'INC-2 opened']);
  expect(helpdeskPosts()).toHaveLength(2);
  const monitorPost = helpdeskPosts()[1];
  expect(monitorPost?.body).not.toHaveProperty('replyToId');
  expect(texts(monitorPost)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^INC-2 · 127\.0\.0\.1/),
      expect.stringMatching(/^Open · since .* · 1 report,/),
    ]),
  );

  // Ada's host is back: two clean re-probes resolve INC-1.
  revived = createServer((socket) => socket.destroy());
  revived.listen(adaPort, '127.0.0.2');
  await once(revived, 'listening');
  expect(changes(await monitor())).toContain('INC-1 green');
  const beforeResolve = connector.calls.length;
  expect(changes(await monitor())).toContain('INC-1 resolved');
  const resolving = connector.calls.slice(beforeResolve);

  // INC-1's own post is edited in place (the one serve made), never posted again.
  const edits = resolving.filter((c) => c.method === 'PUT' && c.path === `${HELPDESK_PATH}/${adaPostId}`);
  expect(edits).toHaveLength(1);
  expect(texts(edits[0])).toContainEqual(expect.stringMatching(/^Resolved at /));
  expect(helpdeskPosts()).toHaveLength(2);
  // Ada is told once, in her chat, as a reply to her report, with the same Teams card as serve's.
  const told = resolving.filter((c) => c.method === 'POST' && c.path === `${ADA_PATH}/msg-ada`);
  expect(told).toHaveLength(1);
  expect(texts(told[0])).toContainEqual(
    expect.stringMatching(/^INC-1 is resolved: 127\.0\.0\.2 no longer shows TCP_REFUSED/),
  );
});

test('a malformed MICROSOFT_APP_ID stops the pass before anything is probed or posted, naming the variable', async () => {
  const before = connector.calls.length;
  const bad = await runCli(['monitor', '--once', '--json', '--config', config], {
    env: { MICROSOFT_APP_ID: 'not-a-guid', MICROSOFT_APP_PASSWORD: 'secret-value' },
  });
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('MICROSOFT_APP_ID');
  expect(bad.stderr).not.toContain('secret-value');
  expect(bad.stdout).toBe('');
  expect(connector.calls.slice(before)).toEqual([]);
});
