import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { countFailedCalls } from '../../src/bot/adapters/failed-calls.js';
import {
  bearerHeaders,
  isLoopbackUrl,
  jwtFailureStatus,
  serveWebhook,
  type WebhookOptions,
} from '../../src/bot/adapters/webhook-server.js';
import { isAddressed } from '../../src/bot/conversation/addressed.js';
import { answerInTurn, firstOrBudget, type TurnMessages } from '../../src/bot/conversation/answer-in-turn.js';
import { pressButton, voteAnswer } from '../../src/bot/conversation/buttons.js';
import { createChatCore } from '../../src/bot/conversation/chat-core.js';
import type { Conversation } from '../../src/bot/conversation/conversation.js';
import type { Incoming } from '../../src/bot/conversation/ports.js';
import type { Watch } from '../../src/bot/watch/watched-channel.js';
import type { Reply } from '../../src/report/reply.js';
import type { Report } from '../../src/report/report.js';
import { createMemoryFeedbackStore, type FeedbackVote } from '../../src/store/feedback-store.js';

// The generic half of webhook-style surfaces (Teams today; Google Chat, Mattermost): answering
// within the platform's turn budget, the addressing rule, card buttons, and the JSON endpoint.

const logger = pino({ level: 'silent' });
const incoming: Incoming = { platform: 'test', id: 'm1', user: 'u1', channel: 'c1', text: 'rdp 0x904' };
const report = {
  understanding: { codes: [] },
  findings: [],
  fixes: [{ id: 'force-tcp', title: 'force-tcp', score: 1, reasons: [], steps: [] }],
  refusals: [],
  startedAt: new Date(0).toISOString(),
  ms: 1,
} as unknown as Report;
const final: Reply = { kind: 'report', report };

/** A conversation that waits `beforePost` ms, posts a text, then edits in the final report. */
function conversation(beforePost = 0): Conversation {
  return {
    async handle(_incoming, surface) {
      await delay(beforePost);
      await surface.post({ kind: 'text', text: 'probing' });
      await surface.update(final);
      return report;
    },
  };
}

/** A platform that records each call, with whether a post went in the user's turn. */
function platform(editFails = false) {
  const calls: { call: string; inTurn?: boolean; message: string }[] = [];
  const messages: TurnMessages<string> = {
    minUpdateIntervalMs: 0,
    render: (reply, posted) => `${reply.kind}${posted ? ` #${posted.id} rerun:${posted.rerunText}` : ''}`,
    post: async (message, inTurn) => {
      calls.push({ call: 'post', inTurn, message });
      return 'card-1';
    },
    edit: async (_id, message) => {
      calls.push({ call: 'edit', message });
      if (editFails) throw new Error('429');
    },
    messageRef: (id) => `ref:${id}`,
    noun: 'test card',
    log: logger,
  };
  return { calls, messages };
}

describe('answerInTurn', () => {
  test('a first post within the budget goes in the turn; edits carry the card id; the report is stored under it', async () => {
    const core = createChatCore({
      conversation: conversation(),
      feedback: createMemoryFeedbackStore(),
      logger,
    });
    const { calls, messages } = platform();
    await answerInTurn(core, incoming, messages, 1000);
    await core.idle();
    expect(calls).toEqual([
      { call: 'post', inTurn: true, message: 'text' },
      { call: 'edit', message: 'report #card-1 rerun:rdp 0x904' },
    ]);
    expect(core.reports.get('card-1')?.report).toBe(report);
  });

  test('past the budget the turn ends at once, and the first post goes out of band', async () => {
    const core = createChatCore({
      conversation: conversation(600),
      feedback: createMemoryFeedbackStore(),
      logger,
    });
    const { calls, messages } = platform();
    const started = Date.now();
    await answerInTurn(core, incoming, messages, 20);
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toEqual([]);
    await core.idle();
    expect(calls[0]).toEqual({ call: 'post', inTurn: false, message: 'text' });
  });

  test('a failed edit is logged, not thrown: the triage still ends', async () => {
    const core = createChatCore({
      conversation: conversation(),
      feedback: createMemoryFeedbackStore(),
      logger,
    });
    const { calls, messages } = platform(true);
    await answerInTurn(core, incoming, messages, 1000);
    await core.idle();
    expect(calls.map(({ call }) => call)).toEqual(['post', 'edit']);
  });

  test('firstOrBudget: whichever comes first, a rejection counting as settled', async () => {
    const started = Date.now();
    await firstOrBudget([new Promise(() => {})], 20);
    expect(Date.now() - started).toBeLessThan(1000);
    await firstOrBudget([Promise.reject(new Error('x'))], 10_000);
  });
});

describe('isAddressed', () => {
  const watch = (answer: boolean): Watch =>
    ({
      watches: (_platform: string, channel: string) => channel === 'watched',
      decide: async () => ({ answer, code: answer ? 'sure' : 'unsure', reason: '' }),
    }) as unknown as Watch;
  const message = () => ({ incoming, ts: 'm1', topLevel: true });
  const where = { platform: 'test', shared: true, mentioned: false };

  test('a 1:1 chat, or an @mention, is always answered', async () => {
    expect(await isAddressed({ ...where, shared: false }, undefined, message, logger)).toBe(true);
    expect(await isAddressed({ ...where, mentioned: true }, undefined, message, logger)).toBe(true);
  });

  test('an unmentioned post in a channel: only in a watched channel, when the policy takes it', async () => {
    expect(await isAddressed(where, watch(true), message, logger)).toBe(false);
    expect(await isAddressed({ ...where, channel: 'other' }, watch(true), message, logger)).toBe(false);
    expect(await isAddressed({ ...where, channel: 'watched' }, watch(true), message, logger)).toBe(true);
    expect(await isAddressed({ ...where, channel: 'watched' }, watch(false), message, logger)).toBe(false);
  });
});

describe('pressButton', () => {
  const voter = { user: 'u1', name: 'Ada', platform: 'test' };
  const setup = (record: (vote: FeedbackVote) => Promise<void> = async () => {}) => {
    const memory = createMemoryFeedbackStore();
    const core = createChatCore({
      conversation: conversation(),
      feedback: { record, stats: () => memory.stats() },
      logger,
    });
    core.reports.remember('card-1', { report, rerunText: 'rdp 0x904', votes: {} });
    return core;
  };
  const vote = { verb: 'feedback', key: 'card-1', fixId: 'force-tcp', helped: true } as const;

  test('a vote on a stored report redraws it with the vote marked', async () => {
    const answer = await pressButton(setup(), vote, voter, async () => {});
    expect(answer.kind).toBe('redraw');
    if (answer.kind === 'redraw')
      expect(answer.posted.votes['force-tcp']).toMatchObject({ helped: true, name: 'Ada' });
  });

  test('an unknown fix, a store that fails, a report no longer in memory', async () => {
    expect(await pressButton(setup(), { ...vote, fixId: 'nope' }, voter, async () => {})).toEqual({
      kind: 'failed',
      retry: false,
      text: 'unknown fix',
    });
    const failing = setup(async () => {
      throw new Error('down');
    });
    expect(await pressButton(failing, vote, voter, async () => {})).toMatchObject({
      kind: 'failed',
      retry: true,
    });
    expect(voteAnswer({ status: 'recorded' })).toEqual({
      kind: 'said',
      text: 'Thanks — your vote is recorded.',
    });
  });

  test('"Run probes again" runs the text again', async () => {
    const reruns: string[] = [];
    const answer = await pressButton(setup(), { verb: 'rerun', text: 'rdp 0x204' }, voter, async (text) => {
      reruns.push(text);
    });
    expect(reruns).toEqual(['rdp 0x204']);
    expect(answer).toEqual({ kind: 'said', text: 'Running the probes again…' });
  });

  test('"Run probes again" on a report still running says so and runs nothing', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const handling = new Promise<void>((resolve) => {
      started = resolve;
    });
    const core = createChatCore({
      conversation: {
        async handle(_incoming, surface) {
          await surface.post({ kind: 'text', text: 'probing' });
          started();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return report;
        },
      },
      feedback: createMemoryFeedbackStore(),
      logger,
    });
    const surface = { minUpdateIntervalMs: 0, post: async () => {}, update: async () => {} };
    const running = core.answer(incoming, surface, { key: 'card-9' });
    await handling;
    const reruns: string[] = [];
    const press = { verb: 'rerun', text: 'rdp 0x204', key: 'card-9' } as const;
    expect(await pressButton(core, press, voter, async (text) => void reruns.push(text))).toEqual({
      kind: 'said',
      text: 'The probes are already running.',
    });
    expect(reruns).toEqual([]);
    release();
    await running;
    await pressButton(core, press, voter, async (text) => void reruns.push(text));
    expect(reruns).toEqual(['rdp 0x204']);
  });

  test('"All fixes" redraws the stored report expanded; a report no longer in memory says so', async () => {
    const core = setup();
    const answer = await pressButton(core, { verb: 'showAll', key: 'card-1' }, voter, async () => {});
    expect(answer.kind === 'redraw' && answer.posted.view).toEqual({ expandAll: true });
    expect(await pressButton(core, { verb: 'showAll', key: 'gone' }, voter, async () => {})).toEqual({
      kind: 'said',
      text: expect.stringMatching(/no longer have this report/),
    });
  });
});

describe('serveWebhook', () => {
  const schema = z.object({ text: z.string(), replyTo: z.string() });
  const start = (overrides: Partial<WebhookOptions<z.infer<typeof schema>>> = {}) =>
    serveWebhook({
      path: '/hook',
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024,
      log: logger,
      listenHint: ['Test', 'set another port'],
      schema,
      noun: 'event',
      authenticated: false,
      emulator: { setting: 'TEST_TOKEN', name: 'test emulator' },
      replyUrl: { field: 'replyTo', of: (body) => body.replyTo },
      handle: async (body) => ({ status: 200, body: { echo: body.text } }),
      core: createChatCore({ conversation: conversation(), feedback: createMemoryFeedbackStore(), logger }),
      tellInterrupted: async (messageRef) => messageRef === 'known',
      ...overrides,
    });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });

  test('a valid body reaches the handler; an invalid one is 400 naming the field', async () => {
    const server = await start();
    try {
      const ok = await post(server.url, { text: 'hi', replyTo: 'http://127.0.0.1:9/' });
      expect(await ok.json()).toEqual({ echo: 'hi' });
      const bad = await post(server.url, { replyTo: 'http://127.0.0.1:9/' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid event: text: /);
      expect(server.health()).toEqual({ ok: true });
      expect(await server.tellInterrupted({ messageRef: 'known' }, 'x')).toBe(true);
      expect(await server.tellInterrupted({}, 'x')).toBe(false);
    } finally {
      await server.stop();
    }
    expect(server.health()).toEqual({ ok: false, detail: 'HTTP listener closed' });
  });

  test('without authentication replies go to loopback only', async () => {
    const server = await start();
    try {
      const response = await post(server.url, { text: 'hi', replyTo: 'https://example.com/' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe(
        'without TEST_TOKEN only a local replyTo (test emulator) is accepted',
      );
    } finally {
      await server.stop();
    }
  });

  test('with authentication a request without a token is refused unread; a token the SDK rejects is 401', async () => {
    const expired = Object.assign(new Error('jwt expired'), { name: 'TokenExpiredError' });
    const server = await start({
      authenticated: true,
      handle: async () => {
        throw expired;
      },
    });
    try {
      expect((await post(server.url, { text: 'hi', replyTo: 'https://example.com/' })).status).toBe(401);
      const rejected = await post(
        server.url,
        { text: 'hi', replyTo: 'https://example.com/' },
        { authorization: 'Bearer x' },
      );
      expect(rejected.status).toBe(401);
      expect(server.authenticated).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe('webhook helpers', () => {
  test('jwtFailureStatus: the status an authentication error carries, 401 for token errors, else none', () => {
    expect(jwtFailureStatus(Object.assign(new Error('x'), { name: 'AuthenticationError' }))).toBe(401);
    expect(jwtFailureStatus(Object.assign(new Error('x'), { statusCode: 503 }))).toBe(503);
    expect(jwtFailureStatus(Object.assign(new Error('x'), { name: 'JsonWebTokenError' }))).toBe(401);
    expect(jwtFailureStatus(new Error('boom'))).toBeUndefined();
    expect(jwtFailureStatus('boom')).toBeUndefined();
  });

  test('isLoopbackUrl', () => {
    expect(['http://localhost:1/', 'http://127.0.0.5/', 'http://[::1]:3978/'].map(isLoopbackUrl)).toEqual([
      true,
      true,
      true,
    ]);
    expect(isLoopbackUrl('https://smba.trafficmanager.net/emea/')).toBe(false);
  });

  test('bearerHeaders: a bearer header, none without a token', async () => {
    expect(await bearerHeaders(async () => 't0k')()).toEqual({ authorization: 'Bearer t0k' });
    expect(await bearerHeaders(async () => undefined)()).toEqual({});
  });

  test('countFailedCalls: a failed call is reported and still thrown; calls through the object count too', async () => {
    const errors: string[][] = [];
    const client = {
      async send(ok: boolean) {
        if (!ok) throw Object.assign(new Error('throttled'), { statusCode: 429 });
        return 'sent';
      },
      async relay(ok: boolean) {
        return this.send(ok);
      },
    };
    countFailedCalls(client, ['send'], 'teams', (...error) => errors.push(error));
    expect(await client.send(true)).toBe('sent');
    await expect(client.relay(false)).rejects.toThrow('throttled');
    expect(errors).toEqual([['teams', 'send', 'ratelimited']]);
  });
});
