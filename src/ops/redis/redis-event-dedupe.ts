import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './connect-redis.js';

/**
 * Answers "is this delivery the first one?" across every replica: `SET key NX PX ttl` is atomic
 * in Redis, so of two bot processes that receive the same Slack event (Socket Mode sends each
 * event to one connection, but retries after a missing ack may reach another; HTTP behind a load
 * balancer the same) exactly one gets `OK`.
 */
export interface EventDedupe {
  /** True the first time `key` is seen within the window; false for every repeat. */
  claim(key: string): Promise<boolean>;
}

export function createRedisEventDedupe(
  redis: Pick<Redis, 'set'>,
  { ttlMs = 60 * 60 * 1000, prefix = `${KEY_PREFIX}event:` }: { ttlMs?: number; prefix?: string } = {},
): EventDedupe {
  return {
    async claim(key) {
      const answer = await redis.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX');
      return answer === 'OK';
    },
  };
}
