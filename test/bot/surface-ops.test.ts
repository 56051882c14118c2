import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { apiErrorReason, countingSlackFetch, thrownReason } from '../../src/bot/adapters/api-errors.js';
import { createSlackApp, type SlackService } from '../../src/bot/adapters/slack/slack-app.js';
import { startTeams, type TeamsServer } from '../../src/bot/adapters/teams/teams-server.js';
import type { Conversation } from '../../src/bot/conversation/conversation.js';
import { configSchema, defaultConfig } from '../../src/config/schema.js';
import { createMemoryFeedbackStore } from '../../src/store/feedback-store.js';
import { type FakeSlackApi, signSlackRequest, startFakeSlackApi } from '../helpers/slack-api-server.js';
import { directMessage, slashCommand } from '../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';
import { cardOf, cardTexts, type FakeConnector, startFakeConnector } from './teams-connector.js';

// What operators see of the chat surfaces (issue 10): failed platform API calls reported for
// /metrics, readiness for /readyz, and the message of a triage lost with another replica edited
// to say so. Real Bolt and botbuilder against local servers speaking the Slack Web API and the
// Bot Connector REST API.

const SECRET = '0123456789abcdef0123456789abcdef';
const logger = pino({ level: 'silent' });
type ApiError = [platform: string, method: string, reason: string];

describe('Slack', () => {
  let api: FakeSlackApi;
  let rdp: Awaited<ReturnType<typeof startX224Server>>;
  let bot: Bot;
  let slack: SlackService;
  let eventsUrl: string;
  const errors: ApiError[] = [];

  beforeAll(async () => {
    api = await startFakeSlackApi();
    rdp = await startX224Server(CONFIRM.nla);
    bot = assembleBot({
      config: configSchema.parse({
        inventory: [{ name: 'srv-lab-01', address: '127.0.0.1', port: rdp.port }],
      }),
    });
    slack = createSlackApp({
      settings: {
        mode: 'http',
        botToken: 'xoxb-ops-test',
        signingSecret: SECRET,
        port: 0,
        host: '127.0.0.1',
      },
      conversation: bot.conversation,
      feedback: createMemoryFeedbackStore(),
      logger,
      clientOptions: { slackApiUrl: api.apiUrl, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } },
      onApiError: (...error) => errors.push(error),
    });
    expect(slack.health()).toEqual({ ok: false, detail: 'HTTP receiver not listening' });
    const { port } = await slack.start();
    eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    await slack?.stop();
    await bot?.close();
    await rdp?.close();
    await api?.close();
  });

  const deliver = (body: string, contentType: string) =>
    fetch(eventsUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, ...signSlackRequest(SECRET, body) },
      body,
    }).then((response) => response.status);

  test('is ready once the HTTP receiver listens', () => {
    expect(slack.health()).toEqual({ ok: true });
  });

  test('a Web API error answer (HTTP 200, ok: false) is reported with its method and error code', async () => {
    api.override('chat.postMessage', (call) =>
      call.args.channel === 'C0NOTIN01' ? { body: { ok: false, error: 'not_in_channel' } } : undefined,
    );
    const status = await deliver(
      slashCommand('0x904 on srv-lab-01', api.respondUrl('ops1'), 'C0NOTIN01'),
      'application/x-www-form-urlencoded',
    );
    expect(status).toBe(200);
    // The user is told privately through the response_url; the failed post is counted.
    await api.waitFor((calls) => calls.some((c) => c.method === 'response_url'));
    expect(errors).toContainEqual(['slack', 'chat.postMessage', 'not_in_channel']);
    expect(errors.filter(([, method]) => method === 'response_url')).toEqual([]);
  });

  test('a 429 is reported as ratelimited, and the retried post still goes out', async () => {
    let limited = 0;
    api.override('chat.postMessage', (call) => {
      if (call.args.channel !== 'D0OPS429' || limited > 0) return undefined;
      limited += 1;
      return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    });
    const before = errors.length;
    expect(
      await deliver(
        JSON.stringify(directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0OPS429' })),
        'application/json',
      ),
    ).toBe(200);
    await api.waitFor((calls) =>
      calls.some(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.args.channel === 'D0OPS429' &&
          c.response !== undefined &&
          (c.response as { ok?: boolean }).ok === true,
      ),
    );
    expect(errors.slice(before)).toContainEqual(['slack', 'chat.postMessage', 'ratelimited']);
  });

  test('a lost triage whose message was posted: that message is edited to say so', async () => {
    await slack.show(
      { channel: 'C0LOST01', messageRef: '1700000000.000100' },
      { kind: 'text', text: 'interrupted, run again' },
    );
    const edit = api.calls.find((c) => c.method === 'chat.update' && c.args.channel === 'C0LOST01');
    expect(edit?.args.ts).toBe('1700000000.000100');
    expect(edit?.args.text).toContain('interrupted, run again');
  });

  test('a lost triage that had not posted yet: the notice goes to its thread', async () => {
    await slack.show(
      { channel: 'C0LOST02', thread: '1700000000.000200' },
      { kind: 'text', text: 'interrupted, run again' },
    );
    const post = api.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0LOST02');
    expect(post?.args.thread_ts).toBe('1700000000.000200');
    expect(post?.args.text).toContain('interrupted, run again');
  });

  test('after stop it is not ready', async () => {
    const other = createSlackApp({
      settings: {
        mode: 'http',
        botToken: 'xoxb-ops-test',
        signingSecret: SECRET,
        port: 0,
        host: '127.0.0.1',
      },
      conversation: bot.conversation,
      feedback: createMemoryFeedbackStore(),
      logger,
      clientOptions: { slackApiUrl: api.apiUrl },
    });
    await other.start();
    expect(other.health().ok).toBe(true);
    await other.stop();
    expect(other.health()).toEqual({ ok: false, detail: 'HTTP receiver not listening' });
  });
});

describe('countingSlackFetch', () => {
  test('names the socket error of an unreachable API and the method from the URL', async () => {
    // A port that was free a moment ago: connection refused, on loopback only.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const errors: ApiError[] = [];
    const fetchFn = countingSlackFetch((...error) => errors.push(error));
    await expect(fetchFn(`http://127.0.0.1:${port}/api/chat.update`, { method: 'POST' })).rejects.toThrow();
    expect(errors).toEqual([['slack', 'chat.update', 'econnrefused']]);
  });

  test('labels stay a closed vocabulary', () => {
    expect(apiErrorReason('not_in_channel')).toBe('not_in_channel');
    expect(apiErrorReason('invalid_arguments: channel C123 <script>')).toBe('other');
    expect(apiErrorReason(undefined)).toBe('other');
    expect(thrownReason(Object.assign(new Error('x'), { statusCode: 503 }))).toBe('http_503');
    expect(thrownReason(Object.assign(new Error('x'), { statusCode: 429 }))).toBe('ratelimited');
    expect(thrownReason(Object.assign(new Error('deadline'), { name: 'TimeoutError' }))).toBe('timeout');
    expect(thrownReason('odd')).toBe('network');
  });
});

describe('Teams', () => {
  let connector: FakeConnector;
  let teams: TeamsServer;
  let bot: Bot;
  const errors: ApiError[] = [];
  /** What the Teams surface offers the ops runtime to store in Redis, per triage. */
  const messageRefs: (string | undefined)[] = [];

  beforeAll(async () => {
    connector = await startFakeConnector();
    bot = assembleBot({ config: defaultConfig() });
    const conversation: Conversation = {
      async handle(incoming, surface, signal) {
        const report = await bot.conversation.handle(incoming, surface, signal);
        messageRefs.push(surface.messageRef);
        return report;
      },
    };
    teams = await startTeams({
      conversation,
      feedback: createMemoryFeedbackStore(),
      settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
      logger,
      minUpdateIntervalMs: 0,
      onApiError: (...error) => errors.push(error),
    });
  });
  afterAll(async () => {
    await teams?.stop();
    await teams?.drain(0);
    await bot?.close();
    await connector?.close();
  });

  const activity = (id: string, text: string) => ({
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:1user', name: 'Ada', aadObjectId: '6c1e2c1a-0000-4000-8000-000000000001' },
    recipient: { id: '28:rdp-triage-bot', name: 'RDP Triage' },
    conversation: { id: 'a:1ops-chat', conversationType: 'personal', tenantId: 'tenant-1' },
    text,
  });
  const send = (body: unknown) =>
    fetch(teams.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('is ready while listening', () => {
    expect(teams.health()).toEqual({ ok: true });
  });

  test('a refused card edit is reported as updateActivity with its HTTP status', async () => {
    // 403: not retried by the connector client (it retries 5xx and 429 on its own).
    connector.failNext('PUT', 403);
    expect((await send(activity('ops-1', 'rdp 0x904 extended 0x7'))).status).toBe(200);
    await connector.waitFor((calls) => calls.some((c) => c.method === 'PUT'));
    await expect.poll(() => errors).toContainEqual(['teams', 'updateActivity', 'http_403']);
  });

  test('a lost triage: its card, addressed by the reference the surface recorded, says it was interrupted', async () => {
    const calls = connector.calls.length;
    expect((await send(activity('ops-2', 'rdp 0x204 error'))).status).toBe(200);
    await expect.poll(() => messageRefs.length).toBe(2);
    const messageRef = messageRefs[1] as string;
    // Ids and the service URL only: no user name, no message text.
    expect(messageRef).not.toContain('Ada');
    expect(messageRef).not.toContain('0x204');
    const posted = connector.calls
      .slice(calls)
      .find((c) => c.method === 'POST' && c.body?.type === 'message');
    const cardId = (JSON.parse(messageRef) as { id: string }).id;
    expect(posted).toBeDefined();
    expect(await teams.tellInterrupted({ messageRef }, 'interrupted, run again')).toBe(true);
    const edit = connector.calls.at(-1);
    expect(edit?.method).toBe('PUT');
    expect(edit?.path).toBe(`/v3/conversations/a:1ops-chat/activities/${cardId}`);
    expect(cardTexts(cardOf(edit?.body)).join(' ')).toContain('interrupted, run again');
  });

  test('a lost triage without a card, or with a malformed reference, cannot be told (false, no call)', async () => {
    const calls = connector.calls.length;
    expect(await teams.tellInterrupted({}, 'x')).toBe(false);
    expect(await teams.tellInterrupted({ messageRef: '{"id":"1"}' }, 'x')).toBe(false);
    expect(await teams.tellInterrupted({ messageRef: 'not json' }, 'x')).toBe(false);
    expect(connector.calls.length).toBe(calls);
  });
});
