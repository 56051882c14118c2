import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './connect-redis.js';

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until `cost` more would fit (the "try again in N s"). */
  retryAfterMs: number;
}

/** Sliding-window counters and concurrency slots shared by every replica. */
export interface SharedRateLimiter {
  /** Takes `cost` units from `key`'s window of `windowMs` if `limit` allows it, atomically. */
  take(key: string, options: { limit: number; windowMs: number; cost?: number }): Promise<RateDecision>;
  /**
   * Takes one of `max` concurrent slots under `key`; resolves to a release function, or null when
   * all are taken. Slots expire after `ttlMs` so a replica that died cannot hold them forever.
   */
  acquire(key: string, options: { max: number; ttlMs: number }): Promise<(() => Promise<void>) | null>;
}

// Sliding window as a sorted set of (time, unique id) entries: drop those older than the window,
// count, add `cost` entries when they fit. Time comes from the Redis server (TIME), so replicas
// with skewed clocks still agree.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used + cost > limit then
  local need = used + cost - limit
  local oldest = redis.call('ZRANGE', KEYS[1], need - 1, need - 1, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  return {0, retry}
end
for i = 1, cost do redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`;

// Concurrency slots: a sorted set of (expiry, holder); expired holders are dropped first.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`;

export function createRedisRateLimiter(
  redis: Redis,
  { prefix = `${KEY_PREFIX}rate:` }: { prefix?: string } = {},
): SharedRateLimiter {
  return {
    async take(key, { limit, windowMs, cost = 1 }) {
      const [allowed, retryAfterMs] = (await redis.eval(
        TAKE,
        1,
        `${prefix}window:${key}`,
        windowMs,
        limit,
        cost,
        randomUUID(),
      )) as [number, number];
      return { allowed: allowed === 1, retryAfterMs: Math.max(0, retryAfterMs) };
    },
    async acquire(key, { max, ttlMs }) {
      const holder = randomUUID();
      const slotKey = `${prefix}slots:${key}`;
      const got = await redis.eval(ACQUIRE, 1, slotKey, max, ttlMs, holder);
      if (got !== 1) return null;
      return async () => {
        await redis.zrem(slotKey, holder);
      };
    },
  };
}
