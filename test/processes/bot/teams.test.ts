import { spawnSync } from 'node:child_process';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { assembleBot } from '../../../src/app/assemble.js';
import { startTeams, type TeamsServer } from '../../../src/bot/adapters/teams/teams-server.js';
import { defaultConfig } from '../../../src/config/schema.js';
import { createMemoryFeedbackStore, type FeedbackStore } from '../../../src/store/feedback-store.js';
import {
  type ConnectorCall,
  cardActions,
  cardOf,
  cardTexts,
  type FakeConnector,
  startFakeConnector,
} from '../../bot/teams-connector.js';

// End to end: real Bot Framework activities into POST /api/messages, botbuilder's real CloudAdapter
// and connector client, and a local Bot Connector (teams-connector.ts) recording what the bot sends.
// Emulator mode (no app id); authentication is tested in teams-auth.test.ts.

let connector: FakeConnector;
let teams: TeamsServer;
let feedback: FeedbackStore;

beforeEach(async () => {
  connector = await startFakeConnector();
  feedback = createMemoryFeedbackStore();
  const bot = assembleBot({ config: defaultConfig() });
  teams = await startTeams({
    conversation: bot.conversation,
    feedback,
    settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
    // Every finding is its own edit, so the number of updates is exact.
    minUpdateIntervalMs: 0,
  });
});

afterEach(async () => {
  await teams.stop();
  await teams.drain(0);
  await connector.close();
});

const USER = { id: '29:1user', name: 'Ada Lovelace', aadObjectId: '6c1e2c1a-0000-4000-8000-000000000001' };
const BOT = { id: '28:rdp-triage-bot', name: 'RDP Triage' };

function activity(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: 'msg-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: USER,
    recipient: BOT,
    conversation: { id: 'a:1personal-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    text: 'rdp 0x904 on 127.0.0.1',
    ...overrides,
  };
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(teams.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const isReport = (call: ConnectorCall) =>
  call.method === 'PUT' && cardTexts(cardOf(call.body)).some((t) => t.startsWith('Triage took'));

describe('Teams: a 1:1 message', () => {
  test('answers with typing, one card, an edit per finding and the final report in the same card', async () => {
    const response = await post(activity({}));
    expect(response.status).toBe(200);
    const calls = await connector.waitFor((all) => all.some(isReport));

    const conversationPath = '/v3/conversations/a:1personal-chat/activities';
    const [typing, card, ...updates] = calls as [ConnectorCall, ConnectorCall, ...ConnectorCall[]];
    const findingLines = (call: ConnectorCall) =>
      cardTexts(cardOf(call.body)).filter((t) => /^(✔ ok|▲ warn|✘ fail|⧗ timeout|· skipped)/.test(t)).length;
    // One edit per finding (the interval is 0 here), then the report, always in the same card.
    const findings = findingLines(updates.at(-1) as ConnectorCall);
    expect(findings).toBeGreaterThanOrEqual(2); // 127.0.0.1 is an address: tcp, rdp and what follows them
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST ${conversationPath}/msg-1`, // typing, in reply to the user's message
      `POST ${conversationPath}/msg-1`, // the card
      ...Array.from({ length: findings + 1 }, () => `PUT ${conversationPath}/act-2`),
    ]);
    expect(typing.body).toMatchObject({ type: 'typing', replyToId: 'msg-1' });
    expect(card.body).toMatchObject({
      type: 'message',
      replyToId: 'msg-1',
      conversation: { id: 'a:1personal-chat' },
    });
    const first = cardTexts(cardOf(card.body));
    expect(first).toContain('RDP triage');
    expect(first).toContain('Probing 127.0.0.1:3389…');
    expect(first.some((t) => t.startsWith('Codes: 0x904'))).toBe(true);
    expect(first).toContain('Hosts: 127.0.0.1');
    // Progress edits carry the findings so far: one, two, …
    expect(updates.slice(0, findings).map(findingLines)).toEqual(
      Array.from({ length: findings }, (_, i) => i + 1),
    );

    const final = cardOf(updates.at(-1)?.body);
    const texts = cardTexts(final);
    expect(texts).toContain('Findings');
    expect(texts).toContain('Fixes, most likely first');
    expect(final.version).toBe('1.5');
    const actions = cardActions(final);
    expect(actions.filter((a) => a.verb === 'rdp-triage.feedback').length).toBeGreaterThanOrEqual(2);
    expect(actions.find((a) => a.type === 'Action.ShowCard')?.title).toMatch(/^All \d+ fixes$/);
    expect(actions.find((a) => a.verb === 'rdp-triage.rerun')?.data).toEqual({
      verb: 'rdp-triage.rerun',
      text: 'rdp 0x904 on 127.0.0.1',
    });
    // Teams rejects messages over 28 KB.
    for (const call of calls)
      expect(Buffer.byteLength(JSON.stringify(call.body))).toBeLessThanOrEqual(28 * 1024);
  });

  test('a retried delivery of the same activity does not start a second triage', async () => {
    expect((await post(activity({}))).status).toBe(200);
    expect((await post(activity({}))).status).toBe(200);
    await connector.waitFor((all) => all.some(isReport));
    expect((await post(activity({ id: 'msg-2', text: 'help' }))).status).toBe(200);
    const calls = await connector.waitFor((all) =>
      all.some((c) => c.path.endsWith('/msg-2') && c.body.type === 'message'),
    );
    expect(calls.filter((c) => c.path.endsWith('/msg-1') && c.body.type === 'message')).toHaveLength(1);
  });

  test('help is answered with one card and no edits', async () => {
    expect((await post(activity({ text: 'help' }))).status).toBe(200);
    const calls = await connector.waitFor((all) => all.some((c) => c.body?.type === 'message'));
    await teams.idle();
    expect(calls.map((c) => `${c.method} ${c.body.type}`)).toEqual(['POST typing', 'POST message']);
    expect(cardTexts(cardOf(calls[1]?.body)).join('\n')).toContain('I triage Remote Desktop (RDP) failures');
  });
});

describe('Teams: channels and group chats', () => {
  const channel = {
    id: '19:a1b2c3@thread.tacv2;messageid=1700000000001',
    conversationType: 'channel',
    tenantId: 'tenant-1',
  };

  test('an @mention is answered in the thread, with the mention text stripped', async () => {
    const mention = {
      type: 'mention',
      text: '<at>RDP Triage</at>',
      mentioned: { id: BOT.id, name: BOT.name },
    };
    const response = await post(
      activity({
        id: '1700000000002',
        conversation: channel,
        text: '<at>RDP Triage</at> rdp 0x904 on 127.0.0.1',
        entities: [mention],
      }),
    );
    expect(response.status).toBe(200);
    const calls = await connector.waitFor((all) => all.some(isReport));
    const threadPath = `/v3/conversations/${channel.id}/activities`;
    expect(calls[1]).toMatchObject({ method: 'POST', path: `${threadPath}/1700000000002` });
    expect(calls[1]?.body).toMatchObject({ replyToId: '1700000000002', conversation: { id: channel.id } });
    expect(calls.at(-1)?.path).toBe(`${threadPath}/act-2`);
    const rerun = cardActions(cardOf(calls.at(-1)?.body)).find((a) => a.verb === 'rdp-triage.rerun');
    expect(rerun?.data.text).toBe('rdp 0x904 on 127.0.0.1');
  });

  test('a channel or group message without an @mention of the bot gets no answer', async () => {
    const other = { type: 'mention', text: '<at>Grace</at>', mentioned: { id: '29:grace', name: 'Grace' } };
    expect(
      (await post(activity({ id: 'm-a', conversation: channel, text: 'rdp 0x904 on 127.0.0.1' }))).status,
    ).toBe(200);
    expect(
      (
        await post(
          activity({
            id: 'm-b',
            conversation: { id: '19:group@thread.v2', conversationType: 'groupChat' },
            text: '<at>Grace</at> rdp 0x904 on 127.0.0.1',
            entities: [other],
          }),
        )
      ).status,
    ).toBe(200);
    // A later 1:1 message is answered; nothing before it was.
    expect((await post(activity({ id: 'm-c', text: 'help' }))).status).toBe(200);
    const calls = await connector.waitFor((all) => all.some((c) => c.body?.type === 'message'));
    expect(calls.every((c) => c.path.endsWith('/m-c'))).toBe(true);
  });
});

describe('Teams: card actions', () => {
  async function finishedTriage() {
    await post(activity({}));
    const calls = await connector.waitFor((all) => all.some(isReport));
    const card = cardOf(calls.find(isReport)?.body);
    return { card, cardId: 'act-2' };
  }

  test('Action.Execute feedback is stored and answered with the card showing the vote', async () => {
    const { card, cardId } = await finishedTriage();
    const helped = cardActions(card).find((a) => a.verb === 'rdp-triage.feedback' && a.data.helped === true);
    expect(helped?.type).toBe('Action.Execute');
    expect(helped?.fallback?.type).toBe('Action.Submit');
    const response = await post(
      activity({
        type: 'invoke',
        id: 'invoke-1',
        name: 'adaptiveCard/action',
        text: undefined,
        replyToId: cardId,
        value: {
          action: { type: 'Action.Execute', verb: helped.verb, data: helped.data },
          trigger: 'manual',
        },
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { value: unknown };
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardTexts(body.value)).toContain('👍 Helped — Ada Lovelace');
    expect(await feedback.stats()).toEqual({ '0x904': { [helped.data.fixId]: { helped: 1, notHelped: 0 } } });
  });

  test('the Action.Submit fallback stores the vote and updates the card in place', async () => {
    const { card, cardId } = await finishedTriage();
    const notHelped = cardActions(card).find(
      (a) => a.verb === 'rdp-triage.feedback' && a.data.helped === false,
    );
    const before = connector.calls.length;
    const response = await post(
      activity({ id: 'submit-1', text: undefined, replyToId: cardId, value: notHelped.fallback.data }),
    );
    expect(response.status).toBe(200);
    const calls = await connector.waitFor((all) => all.length > before);
    expect(calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual([
      `PUT /v3/conversations/a:1personal-chat/activities/${cardId}`,
    ]);
    expect(cardTexts(cardOf(calls.at(-1)?.body))).toContain('👎 Did not help — Ada Lovelace');
    expect(await feedback.stats()).toEqual({
      '0x904': { [notHelped.data.fixId]: { helped: 0, notHelped: 1 } },
    });
  });

  test('"Run probes again" answers the invoke at once and posts a new card that runs to a report', async () => {
    const { card } = await finishedTriage();
    const rerun = cardActions(card).find((a) => a.verb === 'rdp-triage.rerun');
    const before = connector.calls.length;
    const response = await post(
      activity({
        type: 'invoke',
        id: 'invoke-2',
        name: 'adaptiveCard/action',
        text: undefined,
        value: { action: { type: 'Action.Execute', verb: rerun.verb, data: rerun.data } },
      }),
    );
    expect(await response.json()).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Running the probes again…',
    });
    const calls = await connector.waitFor((all) => all.slice(before).some(isReport));
    const fresh = calls.slice(before);
    expect(fresh[1]).toMatchObject({ method: 'POST', body: { type: 'message' } });
    expect(fresh.at(-1)?.path).toBe('/v3/conversations/a:1personal-chat/activities/act-4');
  });

  test('a forged or unknown action is refused without storing anything', async () => {
    const response = await post(
      activity({
        type: 'invoke',
        id: 'invoke-3',
        name: 'adaptiveCard/action',
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'rdp-triage.feedback',
            data: { verb: 'rdp-triage.feedback', fixId: '../../etc' },
          },
        },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(await feedback.stats()).toEqual({});
  });
});

describe('Teams: malformed requests', () => {
  test.for([
    { desc: 'empty object', body: {} },
    { desc: 'not JSON', body: '{"type": "message",' },
    { desc: 'JSON array', body: [] },
    { desc: 'no type', body: { id: 'x', serviceUrl: 'http://127.0.0.1:1/', channelId: 'msteams' } },
    { desc: 'message without conversation', body: 'no-conversation' },
    { desc: 'serviceUrl not a URL', body: 'bad-service-url' },
  ])('$desc → 400, and the bot keeps serving', async ({ body }) => {
    const payload =
      body === 'no-conversation'
        ? { ...activity({}), conversation: undefined }
        : body === 'bad-service-url'
          ? activity({ serviceUrl: 'javascript:alert(1)' })
          : body;
    const response = await post(payload);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/invalid activity|not JSON/);
    expect(connector.calls).toEqual([]);
    expect((await post(activity({ text: 'help' }))).status).toBe(200);
  });

  test('wrong method and path are refused; an oversized body is 413', async () => {
    expect((await fetch(teams.url)).status).toBe(405);
    expect(
      (await fetch(teams.url.replace('/api/messages', '/other'), { method: 'POST', body: '{}' })).status,
    ).toBe(404);
    expect((await post('x'.repeat(600 * 1024))).status).toBe(413);
  });

  test('without an app id, replies go only to a loopback serviceUrl', async () => {
    const response = await post(activity({ serviceUrl: 'https://smba.trafficmanager.net/emea/' }));
    expect(response.status).toBe(400);
    expect(connector.calls).toEqual([]);
  });
});

test('botbuilder (CommonJS) named imports work from ESM in plain Node', () => {
  const script =
    "import { CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext, ActivityTypes } from 'botbuilder';" +
    'console.log([CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext].map((f) => typeof f).join(), ActivityTypes.Message);';
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe('function,function,function message');
});

test('a throttled edit (429 + Retry-After) is retried and the final report still lands', async () => {
  // Teams answers 429 when a conversation gets more than 7 sends a second (platform-limits.md).
  connector.failNext('PUT', 429, { 'retry-after': '1' });
  expect((await post(activity({}))).status).toBe(200);
  const calls = await connector.waitFor((all) => all.some(isReport), 15_000);
  const puts = calls.filter((c) => c.method === 'PUT');
  // The refused edit was sent again: one PUT more than one per finding plus the report.
  const findings = cardTexts(cardOf(puts.at(-1)?.body)).filter((t) =>
    /^(✔ ok|▲ warn|✘ fail|⧗ timeout|· skipped)/.test(t),
  ).length;
  expect(puts).toHaveLength(findings + 2);
  expect(JSON.stringify(puts[0]?.body)).toBe(JSON.stringify(puts[1]?.body));
});

describe('Teams: screenshots', () => {
  const picture = (contentUrl: string) => ({ contentType: 'image/png', contentUrl, name: 'dialog.png' });

  test('a pasted image is fetched from the Bot Connector; what went wrong reading it is shown on the card', async () => {
    const path = '/v3/attachments/0-img-1/views/original';
    connector.serveFile(path, Buffer.from('this is not a PNG'));
    const attachments = [
      picture(`${connector.url}${path.slice(1)}`),
      { contentType: 'text/html', content: '<p>x</p>' },
    ];
    expect((await post(activity({ attachments }))).status).toBe(200);
    const calls = await connector.waitFor((all) => all.some(isReport));
    // Emulator mode: no token to send.
    expect(calls.filter((c) => c.method === 'GET')).toEqual([
      { method: 'GET', path, body: undefined, authorization: undefined },
    ]);
    const note = cardTexts(cardOf(calls.find(isReport)?.body)).find((t) => t.includes('dialog.png'));
    expect(note).toMatch(/not a picture/);
  });

  test('an image on any other host is not fetched', async () => {
    expect((await post(activity({ attachments: [picture('http://127.0.0.2:9/secret.png')] }))).status).toBe(
      200,
    );
    const calls = await connector.waitFor((all) => all.some(isReport));
    expect(calls.filter((c) => c.method === 'GET')).toEqual([]);
    const note = cardTexts(cardOf(calls.find(isReport)?.body)).find((t) => t.includes('dialog.png'));
    expect(note).toMatch(/only fetched from the Bot Connector/);
  });
});

test('a turn that would outlast its budget ends at once; the card is then posted proactively', async () => {
  await teams.stop();
  await teams.drain(0);
  const bot = assembleBot({ config: defaultConfig() });
  teams = await startTeams({
    conversation: bot.conversation,
    feedback,
    settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
    minUpdateIntervalMs: 0,
    turnBudgetMs: 200,
  });
  const path = '/v3/attachments/0-img-2/views/original';
  // The screenshot download is slower than the turn budget.
  connector.serveFile(path, Buffer.from('still not a PNG'), 1500);
  const response = await post(
    activity({ attachments: [{ contentType: 'image/png', contentUrl: `${connector.url}${path.slice(1)}` }] }),
  );
  expect(response.status).toBe(200);
  // The turn is over: only the typing indicator has been sent so far.
  expect(connector.calls.filter((c) => c.method === 'POST').map((c) => c.body.type)).toEqual(['typing']);
  const calls = await connector.waitFor((all) => all.some(isReport));
  const card = calls.find((c) => c.method === 'POST' && c.body.type === 'message');
  // Still a reply to the user's message, like the in-turn card.
  expect(card?.path).toBe('/v3/conversations/a:1personal-chat/activities/msg-1');
  expect(card?.body).toMatchObject({ replyToId: 'msg-1', from: { id: BOT.id } });
  expect(calls.find(isReport)?.path).toBe('/v3/conversations/a:1personal-chat/activities/act-2');
});

test('a port already in use is a start-up error that says which setting to change', async () => {
  const settings = { appId: '', botFrameworkAuth: {}, port: teams.port, host: '127.0.0.1' };
  await expect(
    startTeams({
      conversation: assembleBot({ config: defaultConfig() }).conversation,
      settings,
      logger: pino({ level: 'silent' }),
    }),
  ).rejects.toMatchObject({
    code: 'STARTUP_INVALID',
    message: expect.stringMatching(/EADDRINUSE.*TEAMS_PORT/),
  });
});

test('a vote the store cannot keep is answered with an error on the button, not a failed turn', async () => {
  await teams.stop();
  await teams.drain(0);
  const broken = {
    record: async () => {
      throw new Error('SQLITE_BUSY: database is locked');
    },
    stats: async () => ({}),
  };
  teams = await startTeams({
    conversation: assembleBot({ config: defaultConfig() }).conversation,
    feedback: broken,
    settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
  });
  const data = { verb: 'rdp-triage.feedback', triageId: 'act-9', fixId: 'open-firewall', helped: true };
  const response = await post(
    activity({
      type: 'invoke',
      id: 'invoke-9',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: data.verb, data } },
    }),
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ statusCode: 500, type: 'application/vnd.microsoft.error' });
});
