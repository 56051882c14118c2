import { describe, expect, test } from 'vitest';
import { createLimiter } from '../../src/probes/limiter.js';

describe('limiter', () => {
  test('never more than the limit at once, all granted in order', async () => {
    const limiter = createLimiter(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await limiter.acquire(new AbortController().signal);
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((resolve) => setImmediate(resolve));
        active--;
        release();
      }),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('a waiter whose deadline passes leaves the queue and frees nothing', async () => {
    const limiter = createLimiter(1);
    const release = await limiter.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(limiter.waiting).toBe(0);
    release();
    expect(limiter.active).toBe(0);
    const again = await limiter.acquire(new AbortController().signal);
    expect(limiter.active).toBe(1);
    again();
    again(); // releasing twice is harmless
    expect(limiter.active).toBe(0);
  });
});
