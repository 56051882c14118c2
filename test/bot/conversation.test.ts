import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import type { Incoming, Surface } from '../../src/bot/conversation/ports.js';
import type { Finding } from '../../src/report/finding.js';
import type { Reply } from '../../src/report/reply.js';
import type { Report } from '../../src/report/report.js';
import type { Understanding } from '../../src/report/understanding.js';

const INCOMING: Incoming = {
  platform: 'console',
  id: '1',
  user: 'u1',
  channel: 'c1',
  text: 'rdp 0x904 on srv-fin-02',
};

function understanding(intent: Understanding['intent'] = 'rdp_failure'): Understanding {
  return {
    intent,
    confidence: 0.9,
    codes: [{ value: '0x904', role: 'disconnect' }],
    hosts: [{ name: 'srv-fin-02', kind: 'short' }],
    gateway: null,
    symptoms: [],
  };
}

function finding(n: number): Finding {
  return {
    probe: 'tcp',
    target: `srv-fin-02:${n}`,
    status: 'ok',
    code: 'TCP_OPEN',
    summary: `finding ${n}`,
    ms: n,
  };
}

function recordingSurface(minUpdateIntervalMs: number) {
  const calls: { op: 'post' | 'update'; reply: Reply; at: number }[] = [];
  const surface: Surface = {
    minUpdateIntervalMs,
    post: async (reply) => {
      calls.push({ op: 'post', reply, at: Date.now() });
    },
    update: async (reply) => {
      calls.push({ op: 'update', reply, at: Date.now() });
    },
  };
  return { surface, calls };
}

describe('conversation core', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('posts once, coalesces edits to the surface budget, always sends the final report', async () => {
    const { surface, calls } = recordingSurface(1000);
    const conversation = createConversation({
      understand: () => understanding(),
      triage: async (u, { onFinding }) => {
        // Ten findings within 250 ms, then two more after a second.
        for (let i = 0; i < 10; i += 1) {
          onFinding(finding(i));
          await vi.advanceTimersByTimeAsync(25);
        }
        await vi.advanceTimersByTimeAsync(1000);
        onFinding(finding(10));
        onFinding(finding(11));
        return {
          understanding: u,
          findings: [],
          fixes: [],
          refusals: [],
          startedAt: 'now',
          ms: 1,
        } satisfies Report;
      },
    });
    const report = await conversation.handle(INCOMING, surface, new AbortController().signal);
    expect(report).not.toBeNull();
    expect(calls[0]?.op).toBe('post');
    expect(calls.filter((c) => c.op === 'post')).toHaveLength(1);
    const updates = calls.filter((c) => c.op === 'update');
    // 12 findings, but only: first edit at once, one coalesced edit a second later, and the final.
    expect(updates.length).toBeLessThanOrEqual(3);
    expect(updates.at(-1)?.reply.kind).toBe('report');
    for (let i = 1; i < updates.length - 1; i += 1) {
      expect((updates[i]?.at ?? 0) - (updates[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    const lastProgress = updates.filter((c) => c.reply.kind === 'progress').at(-1)?.reply;
    expect(lastProgress?.kind === 'progress' && lastProgress.findings.length).toBeGreaterThanOrEqual(10);
  });

  test('out-of-scope and help messages are answered without probing', async () => {
    const triage = vi.fn();
    for (const [intent, expected] of [
      ['out_of_scope', /doesn't look like a Remote Desktop problem/],
      ['help', /I triage Remote Desktop/],
    ] as const) {
      const { surface, calls } = recordingSurface(0);
      const conversation = createConversation({ understand: () => understanding(intent), triage });
      await conversation.handle(INCOMING, surface, new AbortController().signal);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.reply.kind === 'text' && calls[0].reply.text).toMatch(expected);
    }
    expect(triage).not.toHaveBeenCalled();
  });

  test('an empty message gets a hint, not a triage', async () => {
    const { surface, calls } = recordingSurface(0);
    const conversation = createConversation({ understand: () => understanding(), triage: vi.fn() });
    await conversation.handle({ ...INCOMING, text: ' \u0000 ' }, surface, new AbortController().signal);
    expect(calls[0]?.reply.kind === 'text' && calls[0].reply.text).toMatch(/empty/);
  });

  test('a failing triage becomes a clear text reply in the same message, never a throw', async () => {
    const { surface, calls } = recordingSurface(0);
    const conversation = createConversation({
      understand: () => understanding(),
      triage: async () => {
        throw new Error('jump exploded');
      },
    });
    await expect(conversation.handle(INCOMING, surface, new AbortController().signal)).resolves.toBeNull();
    const last = calls.at(-1);
    expect(last?.op).toBe('update');
    expect(last?.reply.kind === 'text' && last.reply.text).toMatch(
      /triage failed: Unexpected error: jump exploded/,
    );
  });

  test('control characters are stripped before understanding', async () => {
    const understand = vi.fn(() => understanding('out_of_scope'));
    const { surface } = recordingSurface(0);
    await createConversation({ understand, triage: vi.fn() }).handle(
      { ...INCOMING, text: 'rdp\u0007 0x904\u001b[31m' },
      surface,
      new AbortController().signal,
    );
    expect(understand).toHaveBeenCalledWith('rdp  0x904 [31m');
  });

  test('when the final edit fails, the report is posted anew rather than lost', async () => {
    const posts: Reply[] = [];
    const surface: Surface = {
      minUpdateIntervalMs: 0,
      post: async (reply) => {
        posts.push(reply);
      },
      update: async () => {
        throw new Error('message_not_found');
      },
    };
    const conversation = createConversation({
      understand: () => understanding(),
      triage: async (u) => ({
        understanding: u,
        findings: [],
        fixes: [],
        refusals: [],
        startedAt: 'now',
        ms: 1,
      }),
    });
    await expect(
      conversation.handle(INCOMING, surface, new AbortController().signal),
    ).resolves.not.toBeNull();
    expect(posts.map((reply) => reply.kind)).toEqual(['progress', 'report']);
  });

  test('when nothing can be posted at all, the error goes back to the adapter', async () => {
    const triage = vi.fn();
    const surface: Surface = {
      minUpdateIntervalMs: 0,
      post: async () => {
        throw new Error('not_in_channel');
      },
      update: async () => {},
    };
    const conversation = createConversation({ understand: () => understanding(), triage });
    await expect(conversation.handle(INCOMING, surface, new AbortController().signal)).rejects.toThrow(
      'not_in_channel',
    );
    expect(triage).not.toHaveBeenCalled();
  });
});
