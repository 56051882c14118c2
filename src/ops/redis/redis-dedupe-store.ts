import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './connect-redis.js';

/**
 * `DedupeStore` shared by every replica: `SET key 1 NX PX ttl` is atomic in Redis, so of two bot
 * processes that receive the same delivery (a Slack retry after a missed ack may reach another
 * Socket Mode connection; HTTP behind a load balancer the same) exactly one gets `OK`.
 */
/** Same shape as `DedupeStore` in src/store/dedupe-store.ts (the in-process default). */
export interface SharedDedupeStore {
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export function createRedisDedupeStore(
  redis: Pick<Redis, 'set'>,
  { prefix = `${KEY_PREFIX}event:` }: { prefix?: string } = {},
): SharedDedupeStore {
  return {
    async claim(key, ttlMs) {
      return (await redis.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}
