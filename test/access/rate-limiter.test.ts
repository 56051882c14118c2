import { expect, test } from 'vitest';
import { createLocalLimits } from '../../src/access/gate-limits.js';
import { createRateLimiter } from '../../src/access/rate-limiter.js';

// Time is a variable here: no test waits for the wall clock.
test('a sliding minute: units free up one by one as they age out', () => {
  const LIMIT = 3;
  let now = 1_000_000;
  const limiter = createRateLimiter({ windowMs: 60_000, now: () => now });
  expect(limiter.available('u', LIMIT)).toBe(3);
  limiter.consume('u', 2);
  now += 10_000;
  limiter.consume('u', 1);
  expect(limiter.available('u', LIMIT)).toBe(0);
  expect(limiter.retryAfterMs('u', LIMIT)).toBe(50_000); // the first two units age out at +60 s
  now += 49_999;
  expect(limiter.available('u', LIMIT)).toBe(0);
  now += 1;
  expect(limiter.available('u', LIMIT)).toBe(2);
  expect(limiter.retryAfterMs('u', LIMIT)).toBe(0);
  now += 10_000;
  expect(limiter.available('u', LIMIT)).toBe(3);
});

test('keys are independent', () => {
  const LIMIT = 1;
  let now = 0;
  const limiter = createRateLimiter({ now: () => now });
  limiter.consume('a', 1);
  expect(limiter.available('a', LIMIT)).toBe(0);
  expect(limiter.available('b', LIMIT)).toBe(1);
  now += 60_000;
  expect(limiter.available('a', LIMIT)).toBe(1);
});

test('local gate limits: concurrency slots per key, released once', async () => {
  const limits = createLocalLimits();
  const first = await limits.acquire('u', { max: 2, ttlMs: 1000 });
  const second = await limits.acquire('u', { max: 2, ttlMs: 1000 });
  expect(first && second).toBeTruthy();
  expect(await limits.acquire('u', { max: 2, ttlMs: 1000 })).toBeNull();
  expect(await limits.acquire('v', { max: 2, ttlMs: 1000 })).not.toBeNull();
  await first?.();
  await first?.(); // a second release frees nothing more
  expect(await limits.acquire('u', { max: 2, ttlMs: 1000 })).not.toBeNull();
  expect(await limits.acquire('u', { max: 2, ttlMs: 1000 })).toBeNull();
});

test('local gate limits: a grant fits both windows and reports the waits', async () => {
  let now = 0;
  const limits = createLocalLimits({ now: () => now });
  const take = (want: number) =>
    limits.takeProbes({ userKey: 'u', channelKey: 'c', want, userLimit: 3, channelLimit: 5 });
  expect(await take(2)).toEqual({ granted: 2, userWaitMs: 0, channelWaitMs: 0 });
  now += 15_000;
  expect(await take(4)).toEqual({ granted: 1, userWaitMs: 45_000, channelWaitMs: 0 });
});
