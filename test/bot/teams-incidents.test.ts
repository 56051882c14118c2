import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, test } from 'vitest';
import { type Served, startServe } from '../../src/app/serve.js';
import { TEAMS_STARTER } from '../../src/app/surfaces.js';
import { configSchema } from '../../src/config/schema.js';
import { createIncidentTracker } from '../../src/incidents/incident-tracker.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { closedPort } from '../helpers/closed-port.js';
import {
  type ConnectorCall,
  cardActions,
  cardOf,
  cardTexts,
  type FakeConnector,
  postedActivityId,
  startFakeConnector,
} from './teams-connector.js';

// Incidents on Teams end to end (issue 19): `serve` with the Teams surface only, real Bot
// Framework activities into POST /api/messages through botbuilder's CloudAdapter, and the local
// Bot Connector recording what the bot sends. Three Teams users report the same closed loopback
// port; the helpdesk channel gets one post, edited in place as reports attach; a helpdesk agent
// acknowledges (Action.Submit) and resolves (Action.Execute) from the post's buttons; every
// reporter is told in the conversation where they reported. Emulator mode, so the helpdesk
// channel is reached through TEAMS_SERVICE_URL before the bot has seen any activity there.

const HELPDESK = '19:helpdesk0incidents@thread.tacv2';
const GENERAL = '19:it0general@thread.tacv2';
const BOT = { id: '28:rdp-triage-bot', name: 'RDP Triage' };
const AGENT = { id: '29:9agent', name: 'Grace Hopper', aadObjectId: 'aad-agent-0009' };

let connector: FakeConnector;
let served: Served;
let url: string;
let port: number;
let dir: string;
let storePath: string;

/**
 * `serve` with Teams only, over a fresh store and a fresh local Bot Connector. `configured`: the
 * helpdesk channel is reached through TEAMS_SERVICE_URL until the bot hears from it; without it
 * (Emulator mode, nothing set) only an activity there tells the bot how to reach it.
 */
async function start({ configured }: { configured: boolean }) {
  connector = await startFakeConnector();
  // A loopback port nobody listens on: every report's tcp probe is refused, the same cause.
  port = await closedPort();
  dir = mkdtempSync(join(tmpdir(), 'teams-incidents-'));
  storePath = join(dir, 'store.sqlite');
  const config = configSchema.parse({
    probes: { timeoutMs: 1500, rdpPorts: [3389, port] },
    incidents: { openAfterReports: 1, helpdesk: { teams: HELPDESK } },
    store: { path: storePath },
  });
  served = await startServe({
    config,
    env: {
      TEAMS_ENABLED: 'true',
      TEAMS_PORT: '0',
      TEAMS_HOST: '127.0.0.1',
      ...(configured && { TEAMS_SERVICE_URL: connector.url }),
    },
    logger: pino({ level: 'silent' }),
    surfaces: [TEAMS_STARTER],
  });
  url = served.surfaces[0]?.address ?? '';
}

afterEach(async () => {
  for (const surface of served?.surfaces ?? []) await surface.stop();
  await served?.close();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Reporter {
  user: { id: string; name: string; aadObjectId: string };
  conversation: Record<string, unknown>;
  channelData?: unknown;
  /** The id of the user's message, and where the bot's card for it lives. */
  id: string;
  path: string;
}

const REPORTERS: Reporter[] = [
  {
    user: { id: '29:1ada', name: 'Ada Lovelace', aadObjectId: 'aad-user-0001' },
    conversation: { id: 'a:1ada-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    id: 'msg-ada',
    path: '/v3/conversations/a:1ada-chat/activities',
  },
  {
    user: { id: '29:2alan', name: 'Alan Turing', aadObjectId: 'aad-user-0002' },
    conversation: { id: 'a:2alan-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    id: 'msg-alan',
    path: '/v3/conversations/a:2alan-chat/activities',
  },
  {
    // An @mention in a team channel: answered, and later told, in that thread.
    user: { id: '29:3edsger', name: 'Edsger Dijkstra', aadObjectId: 'aad-user-0003' },
    conversation: {
      id: `${GENERAL};messageid=1700000000301`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
    },
    channelData: { channel: { id: GENERAL }, team: { id: '19:team@thread.tacv2' } },
    id: '1700000000301',
    path: `/v3/conversations/${GENERAL};messageid=1700000000301/activities`,
  },
];

async function post(body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function report(reporter: Reporter) {
  const mention = reporter.conversation.conversationType === 'channel';
  const text = `rdp 0x204 on 127.0.0.1:${port}`;
  return {
    type: 'message',
    id: reporter.id,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: reporter.user,
    recipient: BOT,
    conversation: reporter.conversation,
    ...(reporter.channelData !== undefined && { channelData: reporter.channelData }),
    text: mention ? `<at>RDP Triage</at> ${text}` : text,
    ...(mention && {
      entities: [{ type: 'mention', mentioned: BOT, text: '<at>RDP Triage</at>' }],
    }),
  };
}

/** The helpdesk post as the agent's client sends its buttons back: in the post's own thread. */
function inHelpdeskThread(postId: string, overrides: Record<string, unknown>) {
  return {
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: AGENT,
    recipient: BOT,
    conversation: {
      id: `${HELPDESK};messageid=${postId}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
    },
    channelData: { channel: { id: HELPDESK }, team: { id: '19:team@thread.tacv2' } },
    replyToId: postId,
    ...overrides,
  };
}

const HELPDESK_PATH = `/v3/conversations/${HELPDESK}/activities`;
const isMessage = (call: ConnectorCall) => call.body?.type === 'message';
const helpdeskPosts = () => connector.calls.filter((c) => c.method === 'POST' && c.path === HELPDESK_PATH);
const helpdeskEdits = (postId: string) =>
  connector.calls.filter((c) => c.method === 'PUT' && c.path === `${HELPDESK_PATH}/${postId}`);
const texts = (call: ConnectorCall | undefined) => cardTexts(cardOf(call?.body));
/** The reporter's card with the final report (an edit that says how long the triage took). */
const finalCard = (reporter: Reporter) =>
  connector.calls.find(
    (c) =>
      c.method === 'PUT' &&
      c.path.startsWith(`${reporter.path}/`) &&
      texts(c).some((t) => t.startsWith('Triage took')),
  );

test('three Teams reporters make one helpdesk post, edited in place; its buttons acknowledge and resolve; every reporter is told', async () => {
  await start({ configured: true });
  const [ada, alan, edsger] = REPORTERS as [Reporter, Reporter, Reporter];

  // The first report opens the incident: one new post in the helpdesk channel (not a reply).
  expect((await post(report(ada))).status).toBe(200);
  await connector.waitFor(() => finalCard(ada) !== undefined && helpdeskPosts().length === 1, 15_000);
  const opened = helpdeskPosts()[0];
  expect(opened?.body).not.toHaveProperty('replyToId');
  expect(texts(opened)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^INC-1 · 127\.0\.0\.1/),
      expect.stringMatching(/^Open · since .* · 1 report,/),
    ]),
  );
  const postId = postedActivityId(connector, opened);

  // Each later report attaches: the same post is edited (count and last seen), never posted again;
  // the reporter's own card says which report they are and still has the fixes.
  for (const [reporter, count] of [
    [alan, 2],
    [edsger, 3],
  ] as const) {
    expect((await post(report(reporter))).status).toBe(200);
    await connector.waitFor(
      () =>
        finalCard(reporter) !== undefined &&
        helpdeskEdits(postId).some((edit) => texts(edit).some((t) => t.includes(`· ${count} reports,`))),
      15_000,
    );
    const card = texts(finalCard(reporter));
    expect(card).toContainEqual(expect.stringContaining(`Known problem INC-1 since`));
    expect(card).toContainEqual(expect.stringContaining(`yours is report #${count}.`));
    expect(card).toContain('Fixes, most likely first');
  }
  await served.incidentsIdle();
  expect(helpdeskPosts()).toHaveLength(1);
  expect(helpdeskEdits(postId)).toHaveLength(2);
  // Edsger was answered in his channel thread, as a reply to his message.
  expect(
    connector.calls.some(
      (c) => c.method === 'POST' && c.path === `${edsger.path}/${edsger.id}` && isMessage(c),
    ),
  ).toBe(true);

  // Acknowledge from a client without Action.Execute: the Action.Submit fallback's data arrives
  // as a message value in the post's thread. The post says who is on it; the agent gets a line.
  const latest = () => helpdeskEdits(postId).at(-1) ?? opened;
  const buttons = cardActions(cardOf(latest()?.body));
  const acknowledge = buttons.find((a) => a.data?.action === 'acknowledge');
  expect(buttons.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve']);
  expect(acknowledge?.fallback?.type).toBe('Action.Submit');
  const before = connector.calls.length;
  expect(
    (
      await post(
        inHelpdeskThread(postId, { type: 'message', id: 'submit-ack', value: acknowledge.fallback.data }),
      )
    ).status,
  ).toBe(200);
  await connector.waitFor(() =>
    helpdeskEdits(postId).some((edit) =>
      texts(edit).some((t) => t.startsWith('Acknowledged by teams:aad-agent-0009')),
    ),
  );
  await served.incidentsIdle();
  const told = connector.calls
    .slice(before)
    .find(
      (c) =>
        c.method === 'POST' &&
        c.path === `${HELPDESK_PATH.replace(HELPDESK, `${HELPDESK};messageid=${postId}`)}/submit-ack`,
    );
  expect(told?.body?.text).toBe('INC-1 acknowledged — the helpdesk post now says you are on it.');
  expect(cardActions(cardOf(latest()?.body)).map((a) => a.title)).toEqual(['Resolve', 'Reopen']);

  // Resolve by Action.Execute: the invoke is answered with the agent's line at once.
  const resolve = cardActions(cardOf(latest()?.body)).find((a) => a.data?.action === 'resolve');
  const response = await post(
    inHelpdeskThread(postId, {
      type: 'invoke',
      id: 'invoke-resolve',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: resolve.verb, data: resolve.data },
        trigger: 'manual',
      },
    }),
  );
  expect(await response.json()).toEqual({
    statusCode: 200,
    type: 'application/vnd.microsoft.activity.message',
    value: 'INC-1 resolved — every reporter is being told.',
  });

  // Every reporter is told once, in the conversation where they reported, as a reply to their
  // message; the post shows the incident resolved with only Reopen left.
  const resolvedNotice = (reporter: Reporter) =>
    connector.calls.filter(
      (c) =>
        c.method === 'POST' &&
        c.path === `${reporter.path}/${reporter.id}` &&
        isMessage(c) &&
        texts(c).some((t) => t.startsWith('INC-1 is resolved')),
    );
  await connector.waitFor(() => REPORTERS.every((reporter) => resolvedNotice(reporter).length > 0));
  await served.incidentsIdle();
  for (const reporter of REPORTERS) expect(resolvedNotice(reporter)).toHaveLength(1);
  expect(texts(latest())).toContainEqual(expect.stringMatching(/^Resolved at /));
  expect(cardActions(cardOf(latest()?.body)).map((a) => a.title)).toEqual(['Reopen']);
  expect(helpdeskPosts()).toHaveLength(1);

  // Both buttons are audited with who pressed them; the reporters are Teams users by their AAD ids.
  const db = openDatabase(storePath, { readonly: true });
  try {
    const incidents = createIncidentTracker(db, configSchema.parse({}).incidents);
    expect((await incidents.history('INC-1')).map(({ event, by }) => [event, by])).toEqual([
      ['opened', 'teams:aad-user-0001'],
      ['acknowledged', 'teams:aad-agent-0009'],
      ['resolved', 'teams:aad-agent-0009'],
    ]);
    expect(await incidents.get('INC-1')).toMatchObject({
      state: 'resolved',
      reports: 3,
      reporters: ['teams:aad-user-0001', 'teams:aad-user-0002', 'teams:aad-user-0003'],
    });
  } finally {
    db.close();
  }
}, 60_000);

test('a helpdesk channel the bot has not heard from yet is posted to once it is installed there', async () => {
  await start({ configured: false });
  const [ada] = REPORTERS as [Reporter];
  expect((await post(report(ada))).status).toBe(200);
  await connector.waitFor(() => finalCard(ada) !== undefined);
  // Ada's answer does not wait for the helpdesk post, which has nowhere to go yet.
  expect(texts(finalCard(ada))).toContain('Fixes, most likely first');
  expect(helpdeskPosts()).toEqual([]);
  // The bot is added to the helpdesk's team: Teams sends conversationUpdate from the channel.
  const installed = {
    type: 'conversationUpdate',
    id: 'f:install-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: AGENT,
    recipient: BOT,
    conversation: { id: HELPDESK, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { eventType: 'teamMemberAdded', channel: { id: HELPDESK }, team: { id: HELPDESK } },
    membersAdded: [BOT],
  };
  expect((await post(installed)).status).toBe(200);
  // The failed post is retried (not lost) and now goes out, as a new post in the channel.
  await connector.waitFor(() => helpdeskPosts().length === 1, 15_000);
  expect(texts(helpdeskPosts()[0])).toContainEqual(expect.stringMatching(/^INC-1 · 127\.0\.0\.1/));
  expect(helpdeskPosts()[0]?.body).not.toHaveProperty('replyToId');
  await served.incidentsIdle();
  expect(helpdeskPosts()).toHaveLength(1);
}, 30_000);
