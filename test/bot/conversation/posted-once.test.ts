import { describe, expect, test } from 'vitest';
import { postedOnce } from '../../../src/bot/conversation/posted-once.js';
import type { Reply } from '../../../src/report/reply.js';

const text = (t: string): Reply => ({ kind: 'text', text: t });

describe('postedOnce: one message posted, then edited by its id', () => {
  const platform = (existing?: string) => {
    const calls: string[] = [];
    let next = 0;
    const surface = postedOnce({
      minUpdateIntervalMs: 1200,
      existing,
      render: (reply) => (reply.kind === 'text' ? reply.text : reply.kind),
      send: async (message) => {
        next += 1;
        calls.push(`send ${message}`);
        return `m${next}`;
      },
      edit: async (id, message) => void calls.push(`edit ${id} ${message}`),
    });
    return { surface, calls };
  };

  test('the first reply posts, every later one edits that message; messageRef names it', async () => {
    const { surface, calls } = platform();
    expect(surface.messageRef).toBeUndefined();
    await surface.post(text('probing'));
    await surface.update(text('half'));
    await surface.post(text('final'));
    expect(calls).toEqual(['send probing', 'edit m1 half', 'edit m1 final']);
    expect(surface.messageRef).toBe('m1');
    expect(surface.minUpdateIntervalMs).toBe(1200);
  });

  test('an existing message ("Run probes again") is edited from the first reply', async () => {
    const { surface, calls } = platform('old-1');
    await surface.post(text('probing'));
    expect(calls).toEqual(['edit old-1 probing']);
  });

  test('an edit before anything was posted is an error, not a silent new post', async () => {
    const { surface, calls } = platform();
    await expect(surface.update(text('x'))).rejects.toThrow(/before the first post/);
    expect(calls).toEqual([]);
  });
});
