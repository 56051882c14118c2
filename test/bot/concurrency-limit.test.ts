import { expect, test } from 'vitest';
import { createConcurrencyLimit } from '../../src/bot/concurrency-limit.js';

test('runs at most max tasks at once, the rest in arrival order, and survives failures', async () => {
  const limit = createConcurrencyLimit(2);
  const started: number[] = [];
  const releases: Array<() => void> = [];
  let peak = 0;
  const runs = [0, 1, 2, 3, 4].map((i) =>
    limit.run(async () => {
      started.push(i);
      peak = Math.max(peak, limit.active);
      await new Promise<void>((resolve) => releases.push(resolve));
      if (i === 1) throw new Error('task 1 failed');
      return i;
    }),
  );
  // Observe every outcome now: task 1 rejects while the loop below is still releasing others.
  const settled = Promise.allSettled(runs);
  await new Promise((resolve) => setImmediate(resolve));
  expect(started).toEqual([0, 1]);
  expect(limit.queued).toBe(3);
  while (releases.length > 0 || started.length < 5) {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const results = await settled;
  expect(started).toEqual([0, 1, 2, 3, 4]);
  expect(peak).toBe(2);
  expect(results.map((r) => r.status)).toEqual([
    'fulfilled',
    'rejected',
    'fulfilled',
    'fulfilled',
    'fulfilled',
  ]);
  expect([limit.active, limit.queued]).toEqual([0, 0]);
});
