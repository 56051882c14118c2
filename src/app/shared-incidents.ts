import type { Config } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import { TriageError } from '../errors.js';
import type { SharedIncidents } from '../incidents/incident-posts.js';
import { resolveOpsSettings } from '../ops/ops-settings.js';
import { raceAbort } from '../race-abort.js';

/** The longest a command waits for Redis to answer before it gives up with STORE_UNAVAILABLE. */
const CONNECT_WAIT_MS = 5000;

/**
 * The incidents replicas share, for the commands that run beside them (`triage --user`,
 * `incidents`, `monitor --once`): with REDIS_URL (or ops.redisUrl) they read and write the same
 * incidents as `serve`; null without, and the store file is used as before. ioredis and the
 * scripts load only then. A Redis that does not answer within 5 s is an error, never a hang.
 */
export async function openSharedIncidents(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ incidents: SharedIncidents; close(): Promise<void> } | null> {
  const { redisUrl } = resolveOpsSettings(config.ops, env);
  if (!redisUrl) return null;
  const { connectRedis } = await import('../ops/redis/connect-redis.js');
  const { createRedisIncidents } = await import('../ops/redis/redis-incident-tracker.js');
  const redis = connectRedis(redisUrl, { name: 'rdp-triage-cli' });
  try {
    await raceAbort(redis.ping(), deadlineSignal(CONNECT_WAIT_MS));
  } catch (error) {
    redis.disconnect();
    const host = new URL(redisUrl).host;
    const why =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${CONNECT_WAIT_MS} ms`
        : (error as Error).message;
    throw new TriageError(
      'STORE_UNAVAILABLE',
      `Redis at ${host} (REDIS_URL), where incidents are kept, does not answer: ${why}`,
      { cause: error },
    );
  }
  return {
    incidents: createRedisIncidents(redis, config.incidents),
    close: async () => {
      await redis.quit();
    },
  };
}
