import pino from 'pino';
import { describe, expect, test } from 'vitest';
import {
  type AttachedFile,
  createScreenshotReader,
  type ImageTextReader,
} from '../../src/bot/attachments/images.js';
import { createChatCore } from '../../src/bot/conversation/chat-core.js';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import type { Incoming, Surface } from '../../src/bot/conversation/ports.js';
import { createWatch, type WatchDeps } from '../../src/bot/watch/watched-channel.js';
import { understand } from '../../src/intents/understand.js';
import type { Reply } from '../../src/report/reply.js';
import type { Report } from '../../src/report/report.js';
import type { Understanding } from '../../src/report/understanding.js';
import {
  createMemoryFeedbackStore,
  type FeedbackStore,
  type FeedbackVote,
} from '../../src/store/feedback-store.js';

const logger = pino({ level: 'silent' });
const incoming = (id: string, text = 'rdp 0x904 on srv-fin-02'): Incoming => ({
  platform: 'test',
  id,
  user: 'u1',
  channel: 'c1',
  text,
});

function report(understanding: Understanding): Report {
  const fix = (id: string) => ({ id, title: id, score: 1, reasons: [], steps: [] });
  return {
    understanding,
    findings: [],
    fixes: [fix('force-tcp'), fix('clear-saved-credentials')],
    refusals: [],
    startedAt: new Date(0).toISOString(),
    ms: 1,
  };
}

function surface(): Surface & { replies: Reply[] } {
  const replies: Reply[] = [];
  return {
    replies,
    minUpdateIntervalMs: 0,
    messageRef: 'm1',
    post: async (reply) => void replies.push(reply),
    update: async (reply) => void replies.push(reply),
  };
}

/** The core over a conversation whose triage answers `report()` at once (or `triage`). */
function coreOver({
  triage = async (understanding: Understanding) => report(understanding),
  feedback = createMemoryFeedbackStore(),
  readImages,
}: {
  triage?: Parameters<typeof createConversation>[0]['triage'];
  feedback?: FeedbackStore;
  readImages?: Parameters<typeof createConversation>[0]['readImages'];
} = {}) {
  const conversation = createConversation({ understand, triage, ...(readImages && { readImages }) });
  return createChatCore({ conversation, feedback, logger });
}

/** The watch over channel `c1` of the `test` platform. */
function watchOver(core: ReturnType<typeof createChatCore>, readImages?: WatchDeps['readImages']) {
  const channels = [{ platform: 'test', id: 'c1' }];
  return createWatch({
    channels,
    minConfidence: 0.5,
    understand,
    core,
    log: logger,
    ...(readImages && { readImages }),
  });
}

/** A feedback store that also keeps every vote for the test to read. */
function recordingFeedback() {
  const votes: FeedbackVote[] = [];
  const memory = createMemoryFeedbackStore();
  return {
    votes,
    feedback: { record: async (vote: FeedbackVote) => void votes.push(vote), stats: () => memory.stats() },
  };
}

/** A triage that waits until `release()` is called, counting how many run at once. */
function gatedTriage() {
  let running = 0;
  let peak = 0;
  const waiting: Array<() => void> = [];
  return {
    stats: () => ({ running, peak }),
    release: () => {
      for (const go of waiting.splice(0)) go();
    },
    triage: async (understanding: Understanding, { signal }: { signal: AbortSignal }) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      running -= 1;
      if (signal.aborted) throw new Error('cancelled');
      return report(understanding);
    },
  };
}

describe('chat core', () => {
  test('a delivery is answered once; a retry of it is dropped', async () => {
    const core = coreOver();
    expect(await core.firstDelivery('slack:T1:C1:1.1')).toBe(true);
    expect(await core.firstDelivery('slack:T1:C1:1.1')).toBe(false);
    expect(await core.firstDelivery('teams:conv:1')).toBe(true);
  });

  test('at most maxConcurrentTriages run at once, the rest queue; idle() waits for all of them', async () => {
    const gate = gatedTriage();
    const conversation = createConversation({ understand, triage: gate.triage });
    const core = createChatCore({
      conversation,
      feedback: createMemoryFeedbackStore(),
      logger,
      maxConcurrentTriages: 2,
    });
    const done = [1, 2, 3, 4, 5].map((n) => core.answer(incoming(String(n)), surface()));
    await expect.poll(() => gate.stats().running).toBe(2);
    let idle = false;
    const barrier = core.idle().then(() => {
      idle = true;
    });
    while (gate.stats().running > 0) {
      gate.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(done);
    await barrier;
    expect(idle).toBe(true);
    expect(gate.stats().peak).toBe(2);
  });

  test('the final report is kept under its key; a vote marks it and records the report codes', async () => {
    const { votes, feedback } = recordingFeedback();
    const core = coreOver({ feedback });
    const { report: answered, reportKey } = await core.answer(incoming('7'), surface(), {
      reportKey: () => 'test:c1:m1',
    });
    expect(answered?.fixes[0]?.id).toBe('force-tcp');
    expect(reportKey).toBe('test:c1:m1');
    expect(core.reports.get('test:c1:m1')?.rerunText).toBe('rdp 0x904 on srv-fin-02');

    expect(
      (await core.vote({ key: 'test:c1:m1', fixId: 'nope', helped: true, user: 'u2', platform: 'test' }))
        .status,
    ).toBe('unknown-fix');
    const outcome = await core.vote({
      key: 'test:c1:m1',
      fixId: 'force-tcp',
      helped: true,
      user: 'u2',
      name: 'Ada',
      platform: 'test',
    });
    expect(outcome).toMatchObject({
      status: 'recorded',
      posted: { votes: { 'force-tcp': { helped: true, user: 'u2', name: 'Ada' } } },
    });
    expect(votes).toEqual([
      expect.objectContaining({ triageId: 'test:c1:m1', fixId: 'force-tcp', codes: ['0x904'] }),
    ]);
    // A report no longer in memory: the vote still counts, with what the button carried.
    const late = await core.vote({
      key: 'gone',
      fixId: 'x',
      helped: false,
      user: 'u3',
      platform: 'test',
      codes: ['0x204'],
    });
    expect(late).toEqual({ status: 'recorded' });
    expect(votes[1]).toMatchObject({ triageId: 'gone', codes: ['0x204'] });
  });

  test('a vote the store refuses is reported, never thrown', async () => {
    const feedback = { record: async () => Promise.reject(new Error('disk full')), stats: async () => ({}) };
    const core = coreOver({ feedback });
    expect(await core.vote({ key: 'k', fixId: 'f', helped: true, user: 'u', platform: 'test' })).toEqual({
      status: 'not-stored',
    });
  });

  test('drain waits for running triages, then cancels them after the grace; their message says so', async () => {
    const gate = gatedTriage();
    const core = coreOver({ triage: gate.triage });
    const shown = surface();
    const answered = core.answer(incoming('9'), shown, { key: 'run-9' });
    await expect.poll(() => core.isRunning('run-9')).toBe(true);
    await core.drain(10);
    expect((await answered).report).toBeNull();
    expect(core.isRunning('run-9')).toBe(false);
    expect(shown.replies.at(-1)).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('this triage failed'),
    });
  });

  test('a first post that fails goes to onUnposted, and answer() still resolves', async () => {
    const core = coreOver();
    const told: unknown[] = [];
    const broken: Surface = {
      minUpdateIntervalMs: 0,
      post: () => Promise.reject(new Error('not_in_channel')),
      update: async () => {},
    };
    expect(
      await core.answer(incoming('3'), broken, { onUnposted: async (error) => told.push(error) }),
    ).toEqual({ report: null });
    expect(told).toEqual([expect.objectContaining({ message: 'not_in_channel' })]);
  });

  test('the edit budget skips progress edits once spent; the final report always goes', async () => {
    const core = coreOver({
      triage: async (u, { onFinding }) => {
        for (let n = 0; n < 5; n += 1)
          onFinding({ probe: 'tcp', target: `h:${n}`, status: 'ok', code: 'TCP_OPEN', summary: '', ms: 0 });
        return report(u);
      },
    });
    const shown = surface();
    await core.answer(incoming('5'), shown, { editBudget: { tryTake: () => false, take: () => {} } });
    expect(shown.replies.map((reply) => reply.kind)).toEqual(['progress', 'report']);
  });
});

describe('watched channels', () => {
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000100000001008020000009091683600000000',
    'hex',
  );

  test('a screenshot is read once: for the decision, and again for the answer from the same reading', async () => {
    let reads = 0;
    const ocr: ImageTextReader = {
      read: async () => {
        reads += 1;
        return {
          status: 'read',
          text: 'Remote Desktop Connection\nError code: 0x904\nExtended error code: 0x7',
        };
      },
    };
    const readImages = createScreenshotReader(ocr);
    const file: AttachedFile = { name: 'shot.png', download: async () => ({ bytes: new Uint8Array(png) }) };
    const core = coreOver({ readImages });
    const watch = watchOver(core, readImages);
    const shown = surface();
    const decision = await watch.handle(
      { incoming: { ...incoming('w1', 'rdp broken again'), files: [file] }, ts: '1.1', topLevel: true },
      { surface: shown },
    );
    expect(decision.answer).toBe(true);
    expect(shown.replies.at(-1)).toMatchObject({
      kind: 'report',
      report: {
        understanding: { codes: expect.arrayContaining([expect.objectContaining({ value: '0x904' })]) },
      },
    });
    expect(reads).toBe(1);
  });

  test('"wrong" in the thread and 👎 on the answer vote against the first fix, under the question', async () => {
    const { votes, feedback } = recordingFeedback();
    const core = coreOver({ feedback });
    const watch = watchOver(core);
    const question = incoming('c1:1.1', 'rdp to srv-fin-02 fails with 0x904 extended 0x7');
    await watch.handle({ incoming: question, ts: '1.1', topLevel: true }, { surface: surface() });
    await watch.handle(
      { incoming: { ...incoming('c1:1.2', 'wrong'), thread: '1.1' }, ts: '1.2', topLevel: false },
      { surface: surface() },
    );
    await watch.onReaction({ platform: 'test', channel: 'c1', ts: 'm1', name: '-1', user: 'u9' });
    await watch.onReaction({ platform: 'test', channel: 'c1', ts: 'm1', name: 'tada', user: 'u9' });
    expect(votes.map(({ triageId, fixId, helped }) => ({ triageId, fixId, helped }))).toEqual([
      { triageId: 'c1:1.1', fixId: 'force-tcp', helped: false },
      { triageId: 'c1:1.1', fixId: 'force-tcp', helped: false },
    ]);
  });

  test('a message the policy does not take is not answered, and says why', async () => {
    const core = coreOver();
    const watch = watchOver(core);
    const shown = surface();
    const decision = await watch.handle(
      { incoming: incoming('c1:2.1', 'good morning all'), ts: '2.1', topLevel: true },
      { surface: shown },
    );
    expect(decision).toMatchObject({ answer: false, code: 'not-rdp-problem' });
    expect(shown.replies).toEqual([]);
    expect(watch.watches('test', 'c1')).toBe(true);
    expect(watch.watches('test', 'c2')).toBe(false);
  });
});
