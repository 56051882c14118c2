import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createGroupDirectory } from '../../src/access/group-directory.js';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { TEAMS_STARTER } from '../../src/app/surfaces.js';
import { startTeams, type TeamsServer } from '../../src/bot/adapters/teams/teams-server.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { TeamsSettings } from '../../src/config/teams-env.js';
import {
  createTeamsGroups,
  type GraphGroupSettings,
  readGraphGroupSettings,
} from '../../src/directory/teams-groups.js';
import { isTriageError } from '../../src/errors.js';
import { CLIENT_ID, CLIENT_SECRET, type FakeGraph, startFakeGraph } from '../helpers/graph-server.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';
import {
  type ConnectorCall,
  cardOf,
  cardTexts,
  type FakeConnector,
  startFakeConnector,
} from './teams-connector.js';

const logger = pino({ level: 'silent' });
const TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const ADA = '6c1e2c1a-0000-4000-8000-000000000001';
const BOB = '6c1e2c1a-0000-4000-8000-000000000002';
const HELPDESK = '0f7c3a52-1111-4222-8333-444444444444';
const group = (n: number) => `9a000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph();
});
afterAll(async () => {
  await graph?.close();
});
beforeEach(() => {
  graph.mode = 'ok';
  graph.pageSize = undefined;
  graph.nextLinkBase = undefined;
  graph.members.clear();
  graph.calls.length = 0;
});

const settings = (overrides: Partial<GraphGroupSettings> = {}): GraphGroupSettings => ({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  tenantId: TENANT,
  graphUrl: graph.graphUrl,
  tokenUrl: graph.tokenUrl(TENANT),
  ...overrides,
});
const graphCalls = () => graph.calls.filter((call) => call.method === 'GET');
const tokenCalls = () => graph.calls.filter((call) => call.method === 'POST');

describe('Graph settings from the Teams settings', () => {
  const teams = (auth: Record<string, string>, appId = CLIENT_ID): TeamsSettings => ({
    appId,
    botFrameworkAuth: auth,
    port: 0,
    host: '127.0.0.1',
  });

  test('Emulator mode (no app id) has no directory to ask', () => {
    expect(readGraphGroupSettings(teams({}, ''))).toBeNull();
  });

  test('the bot secret and tenant, public-cloud endpoints unless the environment says otherwise', () => {
    const auth = { MicrosoftAppPassword: CLIENT_SECRET, MicrosoftAppTenantId: TENANT };
    expect(readGraphGroupSettings(teams(auth), {})).toEqual({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tenantId: TENANT,
      graphUrl: 'https://graph.microsoft.com/v1.0/',
      tokenUrl: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    });
    const sovereign = readGraphGroupSettings(teams(auth), {
      MICROSOFT_GRAPH_URL: 'https://graph.microsoft.us/v1.0',
      MICROSOFT_TOKEN_URL: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`,
    });
    expect(sovereign).toMatchObject({
      graphUrl: 'https://graph.microsoft.us/v1.0/',
      tokenUrl: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`,
    });
  });

  test('a certificate or a multi-tenant bot without tenant gets the reason instead', () => {
    expect(
      readGraphGroupSettings(teams({ CertificateThumbprint: 'AB', MicrosoftAppTenantId: TENANT })),
    ).toMatch(/MICROSOFT_APP_PASSWORD/);
    expect(readGraphGroupSettings(teams({ MicrosoftAppPassword: CLIENT_SECRET }))).toMatch(
      /MICROSOFT_APP_TENANT_ID/,
    );
  });

  test('with such a reason every look-up fails with it (the gate says membership could not be checked)', async () => {
    const groupsOf = createTeamsGroups('Teams group look-ups need MICROSOFT_APP_TENANT_ID', { logger });
    const error = await groupsOf(ADA).catch((e: unknown) => e);
    expect(isTriageError(error) && error.code).toBe('GROUP_LOOKUP_FAILED');
  });
});

describe('Entra ID groups of a Teams user', () => {
  test('every page is read (nextLink), with one app-only token, ConsistencyLevel eventual', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => group(i));
    graph.members.set(ADA, many);
    graph.members.set(BOB, [HELPDESK]);
    const groupsOf = createTeamsGroups(settings(), { logger });
    expect(await groupsOf(ADA)).toEqual(many);
    expect(await groupsOf(BOB)).toEqual([HELPDESK]);
    expect(graphCalls()).toHaveLength(4);
    expect(graphCalls()[0]?.url).toBe(
      `/v1.0/users/${ADA}/transitiveMemberOf/microsoft.graph.group?$select=id&$top=999&$count=true`,
    );
    expect(graphCalls().every((call) => call.consistencyLevel === 'eventual')).toBe(true);
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.form).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: `${new URL(graph.graphUrl).origin}/.default`,
      grant_type: 'client_credentials',
    });
  });

  test('answers are kept per user for the TTL', async () => {
    let now = 1_000_000;
    graph.members.set(ADA, [HELPDESK]);
    const groupsOf = createTeamsGroups(settings(), { logger, now: () => now });
    await Promise.all([groupsOf(ADA), groupsOf(ADA), groupsOf(ADA.toUpperCase())]);
    expect(graphCalls()).toHaveLength(1);
    now += 5 * 60_000 - 1;
    expect(await groupsOf(ADA)).toEqual([HELPDESK]);
    expect(graphCalls()).toHaveLength(1);
    graph.members.set(ADA, []);
    now += 1;
    expect(await groupsOf(ADA)).toEqual([]);
    expect(graphCalls()).toHaveLength(2);
  });

  test('a Teams id that is no Entra object id, or a user Graph does not know, is in no group', async () => {
    const groupsOf = createTeamsGroups(settings(), { logger });
    expect(await groupsOf('29:1user')).toEqual([]);
    expect(graph.calls).toHaveLength(0);
    expect(await groupsOf(BOB)).toEqual([]);
  });

  test('403 names the permission to grant; a user answered before keeps that answer', async () => {
    let now = 1_000_000;
    graph.members.set(ADA, [HELPDESK]);
    const groupsOf = createTeamsGroups(settings(), { logger, now: () => now });
    expect(await groupsOf(ADA)).toEqual([HELPDESK]);
    graph.mode = 'forbidden';
    const error = await groupsOf(BOB).catch((e: unknown) => e);
    expect(isTriageError(error) && error.code).toBe('GROUP_LOOKUP_FAILED');
    expect((error as Error).message).toContain('403 Authorization_RequestDenied');
    expect((error as Error).message).toContain('GroupMember.Read.All');
    now += 5 * 60_000;
    expect(await groupsOf(ADA)).toEqual([HELPDESK]);
  });

  test('a wrong client secret fails with the AADSTS reason and never the secret', async () => {
    const groupsOf = createTeamsGroups(settings({ clientSecret: 'not-the-secret' }), { logger });
    const error = (await groupsOf(ADA).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Microsoft token endpoint: HTTP 401 invalid_client: AADSTS7000215/);
    expect(error.message).not.toContain('not-the-secret');
    expect(error.message).not.toContain('Trace ID');
  });

  test('a Graph that never answers ends at the deadline', async () => {
    graph.mode = 'hang';
    const groupsOf = createTeamsGroups(settings(), { logger, timeoutMs: 300 });
    const started = performance.now();
    await expect(groupsOf(ADA)).rejects.toThrow('no answer within 300 ms');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('the token never follows a nextLink to another host, and pages are bounded', async () => {
    graph.members.set(
      ADA,
      Array.from({ length: 30 }, (_, i) => group(i)),
    );
    graph.pageSize = 1;
    graph.nextLinkBase = 'http://127.0.0.2:9/';
    await expect(createTeamsGroups(settings(), { logger })(ADA)).rejects.toThrow('a nextLink left');
    expect(graphCalls()).toHaveLength(1);

    graph.nextLinkBase = undefined;
    graph.calls.length = 0;
    expect(await createTeamsGroups(settings(), { logger })(ADA)).toHaveLength(20);
    expect(graphCalls()).toHaveLength(20);
  });
});

describe('Teams: a role granted by Entra ID group', () => {
  let connector: FakeConnector;
  let teams: TeamsServer;
  let bot: Bot;
  let rdp: Awaited<ReturnType<typeof startX224Server>>;
  beforeAll(async () => {
    connector = await startFakeConnector();
    rdp = await startX224Server(CONFIRM.nla);
    const config = parseConfig(
      [
        'inventory:',
        `  - { name: srv-lab-01, address: 127.0.0.1, port: ${rdp.port} }`,
        'access:',
        '  roles:',
        `    - { name: helpdesk, groups: ["teams:${HELPDESK}"], hostGroups: ["*"] }`,
      ].join('\n'),
      'teams-groups.yaml',
    );
    // What serve does: the surface registers its look-up into the directory the gate asks.
    const directory = createGroupDirectory();
    directory.register('teams', createTeamsGroups(settings(), { logger }));
    bot = assembleBot({ config, groupsOf: directory.groupsOf });
    teams = await startTeams({
      conversation: bot.conversation,
      settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
      logger,
      minUpdateIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await teams?.stop();
    await teams?.drain(0);
    await bot?.close();
    await connector?.close();
    await rdp?.close();
  });

  const isReport = (call: ConnectorCall) =>
    call.method === 'PUT' && cardTexts(cardOf(call.body)).some((t) => t.startsWith('Triage took'));

  async function ask(aadObjectId: string, conversation: string): Promise<string> {
    const response = await fetch(teams.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `msg-${conversation}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: `29:${conversation}`, name: 'Someone', aadObjectId },
        recipient: { id: '28:rdp-triage-bot', name: 'RDP Triage' },
        conversation: { id: conversation, conversationType: 'personal', tenantId: TENANT },
        text: 'rdp 0x904 on srv-lab-01',
      }),
    });
    expect(response.status).toBe(200);
    const calls = await connector.waitFor((all) =>
      all.some((c) => isReport(c) && c.path.includes(conversation)),
    );
    const report = calls.find((c) => isReport(c) && c.path.includes(conversation));
    return cardTexts(cardOf(report?.body)).join('\n');
  }

  test('a member (through the activity’s aadObjectId) probes; a non-member is told why not', async () => {
    graph.members.set(ADA, [group(7), HELPDESK]);
    graph.members.set(BOB, [group(7)]);
    const before = rdp.requests.length;
    const member = await ask(ADA, 'a:1ada');
    expect(rdp.requests.length).toBeGreaterThan(before);
    expect(member).not.toContain('not in a role');

    const then = rdp.requests.length;
    const outsider = await ask(BOB, 'a:1bob');
    expect(rdp.requests.length).toBe(then);
    expect(outsider).toContain('not in a role that may trigger probes');
  });
});

describe('serve registers the Teams look-up from the environment', () => {
  test('with an app id, secret and tenant, group look-ups use that app against the configured endpoints', async () => {
    graph.members.set(ADA, [HELPDESK]);
    const start = TEAMS_STARTER.detect({
      MICROSOFT_APP_ID: CLIENT_ID,
      MICROSOFT_APP_PASSWORD: CLIENT_SECRET,
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: TENANT,
      TEAMS_PORT: '0',
      TEAMS_HOST: '127.0.0.1',
      MICROSOFT_GRAPH_URL: graph.graphUrl,
      MICROSOFT_TOKEN_URL: graph.tokenUrl(TENANT),
    });
    const directory = createGroupDirectory();
    const bot = assembleBot({ config: parseConfig('{}', 'empty.yaml') });
    const apiErrors: string[][] = [];
    const surface = await start?.({
      conversation: bot.conversation,
      logger,
      registerGroups: directory.register,
      onApiError: (...error) => apiErrors.push(error),
    });
    try {
      expect(await directory.groupsOf({ platform: 'teams', user: ADA, channel: 'a:1' })).toEqual([HELPDESK]);
      expect(tokenCalls()[0]?.form?.client_id).toBe(CLIENT_ID);
      // Slack users are not looked up in Entra ID.
      expect(await directory.groupsOf({ platform: 'slack', user: ADA, channel: 'C1' })).toEqual([]);
      // A refused Graph call counts in /metrics like a failed Bot Connector call.
      graph.mode = 'forbidden';
      await expect(directory.groupsOf({ platform: 'teams', user: BOB, channel: 'a:1' })).rejects.toThrow(
        '403',
      );
      expect(apiErrors).toEqual([['teams', 'graph.memberOf', 'http_403']]);
    } finally {
      await surface?.stop();
      await bot.close();
    }
  });

  test('in Emulator mode nothing is registered: nobody is in a group', async () => {
    const start = TEAMS_STARTER.detect({ TEAMS_ENABLED: 'true', TEAMS_PORT: '0' });
    const directory = createGroupDirectory();
    const bot = assembleBot({ config: parseConfig('{}', 'empty.yaml') });
    const surface = await start?.({
      conversation: bot.conversation,
      logger,
      registerGroups: directory.register,
    });
    try {
      expect(await directory.groupsOf({ platform: 'teams', user: ADA, channel: 'a:1' })).toEqual([]);
      expect(graph.calls).toHaveLength(0);
    } finally {
      await surface?.stop();
      await bot.close();
    }
  });
});
