import type { Redis } from 'ioredis';
import {
  isDue,
  nextRecheck,
  type RecheckBackoff,
  type RecheckState,
} from '../../incidents/recheck-backoff.js';
import { KEY_PREFIX } from './connect-redis.js';

/**
 * The re-probe backoff of open incidents, shared by replicas: whichever replica's worker takes
 * the re-probe job of an interval (src/app/monitor-jobs.ts) sees when each incident is due, so an
 * outage probed after 1, 2, 4 … intervals stays on that plan however the jobs fall. One hash,
 * incident id → state; only the replica running the job writes it (one re-probe job at a time).
 */
export function createRedisRecheckBackoff(
  redis: Redis,
  baseMs: number,
  { key = `${KEY_PREFIX}incidents:recheck-backoff` }: { key?: string } = {},
): RecheckBackoff {
  const statesOf = async (ids: string[]): Promise<Map<string, RecheckState>> => {
    if (ids.length === 0) return new Map();
    const rows = await redis.hmget(key, ...ids);
    return new Map(
      ids.flatMap((id, index) => {
        const raw = rows[index];
        return raw ? [[id, JSON.parse(raw) as RecheckState] as const] : [];
      }),
    );
  };
  return {
    async due(open, at) {
      const states = await statesOf(open.map((incident) => incident.id));
      return open.filter((incident) => isDue(states.get(incident.id), at));
    },
    async record(results, open, at) {
      const stillOpen = new Set(open.map((incident) => incident.id));
      const stale = (await redis.hkeys(key)).filter((id) => !stillOpen.has(id));
      const states = await statesOf(results.map(({ id }) => id));
      const batch = redis.multi();
      if (stale.length > 0) batch.hdel(key, ...stale);
      for (const { id, outcome } of results) {
        if (outcome === 'resolved') batch.hdel(key, id);
        else batch.hset(key, id, JSON.stringify(nextRecheck(states.get(id), outcome, at, baseMs)));
      }
      await batch.exec();
    },
  };
}
