import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { GateLimits } from '../../access/gate-limits.js';
import { KEY_PREFIX } from './connect-redis.js';

/**
 * The access gate's rate and concurrency limits (src/access/access-gate.ts), shared by every
 * replica: the in-process `RateLimiter` / `ConcurrencyLimit` count per process, so two replicas
 * would each allow the full budget. The same contract as the in-process limits; only the storage
 * differs, and slots expire after `ttlMs` so a replica that died cannot hold them forever.
 */
export type SharedRateLimiter = GateLimits;

// Sliding windows as sorted sets of (time, unique id): drop entries older than the window, grant
// min(free user, free channel, want), add that many entries to both. Time comes from the Redis
// server (TIME), so replicas with skewed clocks still agree.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local limits = { tonumber(ARGV[3]), tonumber(ARGV[4]) }
local free = want
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local left = limits[i] - redis.call('ZCARD', KEYS[i])
  if left < free then free = left end
end
if free < 0 then free = 0 end
local waits = {}
for i = 1, 2 do
  for n = 1, free do redis.call('ZADD', KEYS[i], now, ARGV[5] .. ':' .. n) end
  redis.call('PEXPIRE', KEYS[i], window)
  local used = redis.call('ZCARD', KEYS[i])
  waits[i] = 0
  if used >= limits[i] then
    local freeing = redis.call('ZRANGE', KEYS[i], used - limits[i], used - limits[i], 'WITHSCORES')
    if freeing[2] then waits[i] = tonumber(freeing[2]) + window - now else waits[i] = window end
  end
end
return { free, waits[1], waits[2] }
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
    async takeProbes({ userKey, channelKey, want, userLimit, channelLimit, windowMs = 60_000 }) {
      const [granted, userWaitMs, channelWaitMs] = (await redis.eval(
        TAKE,
        2,
        `${prefix}window:${userKey}`,
        `${prefix}window:${channelKey}`,
        windowMs,
        want,
        userLimit,
        channelLimit,
        randomUUID(),
      )) as [number, number, number];
      return { granted, userWaitMs: Math.max(0, userWaitMs), channelWaitMs: Math.max(0, channelWaitMs) };
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
