import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Served, startServe } from '../../src/app/serve.js';
import { countingSlackFetch } from '../../src/bot/adapters/api-errors.js';
import type { SlackBlock } from '../../src/bot/render/slack.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createSlackGroups } from '../../src/directory/slack-groups.js';
import { isTriageError } from '../../src/errors.js';
import { type FakeSlackApi, signSlackRequest, startFakeSlackApi } from '../helpers/slack-api-server.js';
import { directMessage } from '../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

// Slack user groups as usergroups.list?include_users=true answers them (fields as Slack sends them).
const userGroup = (id: string, handle: string, users: string[]) => ({
  id,
  team_id: 'T0TEST01',
  is_usergroup: true,
  is_subteam: true,
  name: handle,
  description: '',
  handle,
  is_external: false,
  date_create: 1_700_000_000,
  date_update: 1_700_000_000,
  date_delete: 0,
  auto_type: null,
  created_by: 'U0ADMIN01',
  updated_by: 'U0ADMIN01',
  deleted_by: null,
  prefs: { channels: [], groups: [] },
  users,
  user_count: users.length,
});
const LISTING = {
  ok: true,
  usergroups: [
    userGroup('S0HELPDSK', 'helpdesk', ['U0AGENT01', 'U0AGENT02']),
    userGroup('S0NETOPS1', 'netops', ['U0AGENT01']),
    userGroup('S0SALES01', 'sales', ['U0USER001']),
  ],
};

const logger = pino({ level: 'silent' });
let api: FakeSlackApi;
beforeAll(async () => {
  api = await startFakeSlackApi();
});
afterAll(async () => {
  await api?.close();
});
const listCalls = () => api.calls.filter((call) => call.method === 'usergroups.list');

describe('Slack user groups of a user', () => {
  test('one usergroups.list (include_users, bot token) answers every user until the TTL ends', async () => {
    let now = 1_000_000;
    api.override('usergroups.list', () => ({ body: LISTING }));
    const before = listCalls().length;
    const groupsOf = createSlackGroups({
      botToken: 'xoxb-groups-1',
      apiUrl: api.apiUrl,
      logger,
      now: () => now,
    });
    const [agent, other, stranger] = await Promise.all([
      groupsOf('U0AGENT01'),
      groupsOf('U0AGENT02'),
      groupsOf('U0NOBODY1'),
    ]);
    expect(agent).toEqual(['S0HELPDSK', 'S0NETOPS1']);
    expect(other).toEqual(['S0HELPDSK']);
    expect(stranger).toEqual([]);
    const calls = listCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args.include_users).toBe('true');
    expect(calls[0]?.authorization).toBe('Bearer xoxb-groups-1');

    now += 4 * 60_000;
    expect(await groupsOf('U0USER001')).toEqual(['S0SALES01']);
    expect(listCalls().length - before).toBe(1);
    // Past 5 minutes the listing is asked again: a user removed from a group loses the role.
    api.override('usergroups.list', () => ({
      body: { ok: true, usergroups: [userGroup('S0HELPDSK', 'helpdesk', ['U0AGENT02'])] },
    }));
    now += 60_000;
    expect(await groupsOf('U0AGENT01')).toEqual([]);
    expect(listCalls().length - before).toBe(2);
  });

  test('without usergroups:read the look-up fails naming the scope; asked again only after the cool-down', async () => {
    let now = 1_000_000;
    api.override('usergroups.list', () => ({
      body: { ok: false, error: 'missing_scope', needed: 'usergroups:read', provided: 'chat:write' },
    }));
    const before = listCalls().length;
    const apiErrors: string[][] = [];
    const groupsOf = createSlackGroups({
      botToken: 'xoxb-groups-2',
      apiUrl: api.apiUrl,
      logger,
      now: () => now,
      // As serve wires it: the failed call also counts in /metrics.
      fetch: countingSlackFetch((...error) => apiErrors.push(error)),
    });
    const error = await groupsOf('U0AGENT01').catch((e: unknown) => e);
    expect(isTriageError(error) && error.code).toBe('GROUP_LOOKUP_FAILED');
    expect((error as Error).message).toContain('usergroups:read');
    await expect(groupsOf('U0AGENT02')).rejects.toThrow('missing_scope');
    expect(listCalls().length - before).toBe(1);
    expect(apiErrors).toEqual([['slack', 'usergroups.list', 'missing_scope']]);
    now += 30_000;
    api.override('usergroups.list', () => ({ body: LISTING }));
    expect(await groupsOf('U0AGENT02')).toEqual(['S0HELPDSK']);
  });

  test('a failed refresh keeps the previous listing (429, then an outage)', async () => {
    let now = 1_000_000;
    api.override('usergroups.list', () => ({ body: LISTING }));
    const groupsOf = createSlackGroups({
      botToken: 'xoxb-groups-3',
      apiUrl: api.apiUrl,
      logger,
      now: () => now,
    });
    expect(await groupsOf('U0AGENT01')).toEqual(['S0HELPDSK', 'S0NETOPS1']);
    api.override('usergroups.list', () => ({
      status: 429,
      headers: { 'retry-after': '30' },
      body: { ok: false, error: 'ratelimited' },
    }));
    now += 5 * 60_000;
    const before = listCalls().length;
    expect(await groupsOf('U0AGENT01')).toEqual(['S0HELPDSK', 'S0NETOPS1']);
    expect(listCalls().length - before).toBe(1);
  });

  test('a Web API that never answers ends at the deadline', async () => {
    const hung: Server = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as AddressInfo;
    try {
      const groupsOf = createSlackGroups({
        botToken: 'xoxb-groups-4',
        apiUrl: `http://127.0.0.1:${port}/api/`,
        logger,
        timeoutMs: 200,
      });
      const started = performance.now();
      await expect(groupsOf('U0AGENT01')).rejects.toThrow('no answer before the deadline');
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });
});

describe('serve: a role granted by Slack user group', () => {
  const SECRET = 'abcdef0123456789abcdef0123456789';
  let served: Served;
  let rdp: Awaited<ReturnType<typeof startX224Server>>;
  beforeAll(async () => {
    rdp = await startX224Server(CONFIRM.nla);
    const config = parseConfig(
      [
        'inventory:',
        `  - { name: srv-lab-01, address: 127.0.0.1, port: ${rdp.port}, group: lab }`,
        'access:',
        '  roles:',
        '    - { name: helpdesk, groups: ["slack:S0HELPDSK"], hostGroups: ["*"] }',
      ].join('\n'),
      'groups.yaml',
    );
    served = await startServe({
      config,
      env: {
        SLACK_BOT_TOKEN: 'xoxb-serve-groups',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_PORT: '0',
        SLACK_HOST: '127.0.0.1',
        SLACK_API_URL: api.apiUrl,
      },
      logger,
    });
  });
  afterAll(async () => {
    for (const surface of served?.surfaces ?? []) await surface.stop();
    await served?.close();
    await rdp?.close();
  });

  /** Sends a DM from `user` and returns the text of the final answer. */
  async function ask(user: string, channel: string): Promise<string> {
    const after = api.calls.length;
    const body = JSON.stringify(directMessage('rdp 0x904 on srv-lab-01', { user, channel }));
    const response = await fetch(served.surfaces[0]?.address as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
      body,
    });
    expect(response.status).toBe(200);
    const final = () =>
      api.calls
        .slice(after)
        .filter(
          (c) =>
            c.args.channel === channel && (c.method === 'chat.update' || c.method === 'chat.postMessage'),
        )
        .find((c) => JSON.stringify(c.args.blocks).includes('Triage took'));
    await api.waitFor(() => final() !== undefined);
    return JSON.stringify(final()?.args.blocks as SlackBlock[]);
  }

  test('a member of the group probes; a non-member gets the knowledge base and the reason', async () => {
    api.override('usergroups.list', () => ({ body: LISTING }));
    const probesBefore = rdp.requests.length;
    const member = await ask('U0AGENT02', 'D0GROUPS01');
    expect(rdp.requests.length).toBeGreaterThan(probesBefore);
    expect(member).not.toContain('not in a role');

    const probesThen = rdp.requests.length;
    const outsider = await ask('U0USER001', 'D0GROUPS02');
    expect(rdp.requests.length).toBe(probesThen);
    expect(outsider).toContain('not in a role that may trigger probes');
    expect(outsider).toContain('0x904');
  });
});

describe('serve: Slack user groups that cannot be listed', () => {
  test('the member is told their group membership could not be checked', async () => {
    const SECRET = 'abcdef0123456789abcdef0123456780';
    const rdp = await startX224Server(CONFIRM.nla);
    const config = parseConfig(
      [
        'inventory:',
        `  - { name: srv-lab-01, address: 127.0.0.1, port: ${rdp.port} }`,
        'access:',
        '  roles:',
        '    - { name: helpdesk, groups: ["slack:S0HELPDSK"], hostGroups: ["*"] }',
      ].join('\n'),
      'groups.yaml',
    );
    api.override('usergroups.list', () => ({ body: { ok: false, error: 'missing_scope' } }));
    const served = await startServe({
      config,
      env: {
        SLACK_BOT_TOKEN: 'xoxb-serve-nogroups',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_PORT: '0',
        SLACK_HOST: '127.0.0.1',
        SLACK_API_URL: api.apiUrl,
      },
      logger,
    });
    try {
      const after = api.calls.length;
      const body = JSON.stringify(
        directMessage('rdp 0x904 on srv-lab-01', { user: 'U0AGENT01', channel: 'D0GROUPS03' }),
      );
      await fetch(served.surfaces[0]?.address as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
        body,
      });
      const final = () =>
        api.calls
          .slice(after)
          .find(
            (c) => c.args.channel === 'D0GROUPS03' && JSON.stringify(c.args.blocks).includes('Triage took'),
          );
      await api.waitFor(() => final() !== undefined);
      expect(JSON.stringify(final()?.args.blocks)).toContain('group membership could not be checked');
      expect(rdp.requests).toEqual([]);
    } finally {
      for (const surface of served.surfaces) await surface.stop();
      await served.close();
      await rdp.close();
    }
  });
});
