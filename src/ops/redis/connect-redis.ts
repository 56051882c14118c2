import { Redis } from 'ioredis';
import { TriageError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';

/** Key prefix of everything the bot keeps in Redis, so one Redis can serve other apps too. */
export const KEY_PREFIX = 'rdp-triage:';

/**
 * Opens a Redis connection from `REDIS_URL` (`redis://[user:password@]host:port[/db]` or
 * `rediss://` for TLS). `maxRetriesPerRequest: null` is what BullMQ requires of its connections
 * (bullmq docs, "Connections"); commands wait for a reconnect instead of failing fast, so every
 * caller bounds its own wait.
 */
export function connectRedis(
  url: string,
  { logger, name = 'rdp-triage' }: { logger?: Logger; name?: string } = {},
): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TriageError('CONFIG_INVALID', 'REDIS_URL is not a URL (expected redis://host:port)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new TriageError(
      'CONFIG_INVALID',
      `REDIS_URL must start with redis:// or rediss:// (got ${parsed.protocol})`,
    );
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Back off to 2 s between reconnects; Redis restarts are short.
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    // ioredis emits an error per failed reconnect; one line per outage is enough.
    if (!reported)
      logger?.warn({ err: error, redis: `${parsed.hostname}:${parsed.port}` }, 'redis unavailable');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger?.info('redis available again');
    reported = false;
  });
  return redis;
}
