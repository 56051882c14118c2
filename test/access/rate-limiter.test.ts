import { expect, test } from 'vitest';
import { createConcurrencyLimit, createRateLimiter } from '../../src/access/rate-limiter.js';

// Time is a variable here: no test waits for the wall clock.
test('a sliding minute: units free up one by one as they age out', () => {
  let now = 1_000_000;
  const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: () => now });
  expect(limiter.available('u')).toBe(3);
  limiter.consume('u', 2);
  now += 10_000;
  limiter.consume('u', 1);
  expect(limiter.available('u')).toBe(0);
  expect(limiter.retryAfterMs('u')).toBe(50_000); // the first two units age out at +60 s
  now += 49_999;
  expect(limiter.available('u')).toBe(0);
  now += 1;
  expect(limiter.available('u')).toBe(2);
  expect(limiter.retryAfterMs('u')).toBe(0);
  now += 10_000;
  expect(limiter.available('u')).toBe(3);
});

test('keys are independent', () => {
  let now = 0;
  const limiter = createRateLimiter({ limit: 1, now: () => now });
  limiter.consume('a', 1);
  expect(limiter.available('a')).toBe(0);
  expect(limiter.available('b')).toBe(1);
  now += 60_000;
  expect(limiter.available('a')).toBe(1);
});

test('concurrency limit counts acquire and release per key', () => {
  const limit = createConcurrencyLimit(2);
  expect(limit.tryAcquire('u')).toBe(true);
  expect(limit.tryAcquire('u')).toBe(true);
  expect(limit.tryAcquire('u')).toBe(false);
  expect(limit.tryAcquire('v')).toBe(true);
  limit.release('u');
  expect(limit.running('u')).toBe(1);
  expect(limit.tryAcquire('u')).toBe(true);
});
