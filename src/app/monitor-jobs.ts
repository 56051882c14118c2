import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { connectRedis, KEY_PREFIX } from '../ops/redis/connect-redis.js';
import { createRedisRecheckBackoff } from '../ops/redis/redis-recheck-backoff.js';
import { type MonitorBot, type MonitorChange, monitorName } from './monitor.js';
import {
  createRechecks,
  createScheduledRuns,
  type MonitorSchedule,
  PASS_DEADLINE_MS,
  recheckIntervalMs,
} from './monitor-schedule.js';

/** The BullMQ queue every replica's monitor jobs go through. */
export const MONITOR_QUEUE = 'rdp-triage-monitors';
/** The job scheduler of the open incidents' re-probes (the monitors' schedulers are named after them). */
export const RECHECK_SCHEDULER = 'rdp-triage:recheck';
/** Finished jobs kept for `bullmq` tooling to look at; older ones go. */
const KEEP_JOBS = 50;

// Releases a monitor's pass lock only if this job still holds it (it may have expired and moved on).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The monitors' schedule with several replicas (REDIS_URL set, issue 19): one BullMQ job
 * scheduler per monitor (its id is the monitor's name, `every` its interval) and one for the
 * re-probes of open incidents, upserted by every replica as it starts; each scheduler's job of an
 * interval goes to exactly one replica's worker, so each monitor runs once per interval across
 * all of them. A pass still running when the next interval comes holds a lock in Redis, and the
 * next job skips rather than probing the same target twice at once. Schedulers of monitors that
 * are no longer configured are removed (replicas are expected to share one config).
 */
export async function startMonitorJobs({
  redisUrl,
  bot,
  config,
  logger,
  concurrency = 4,
  now = Date.now,
}: {
  redisUrl: string;
  bot: MonitorBot;
  config: Config;
  logger: Logger;
  concurrency?: number;
  now?: () => number;
}): Promise<MonitorSchedule> {
  const log = logger.child({ component: 'monitors' });
  const monitors = new Map(config.monitors.map((monitor) => [monitorName(monitor), monitor]));
  if (monitors.size < config.monitors.length)
    log.warn('two monitors share a name: only the last of each name is scheduled (set monitors[].name)');
  const locks = connectRedis(redisUrl, { logger: log, name: `${MONITOR_QUEUE}-locks` });
  // The backoff lives in Redis: the next interval's re-probe job may go to another replica.
  const backoff = createRedisRecheckBackoff(locks, recheckIntervalMs(config));
  const runs = createScheduledRuns(bot, createRechecks(bot, config.probes, backoff, now));
  const queueConnection = connectRedis(redisUrl, { logger: log, name: `${MONITOR_QUEUE}-queue` });
  const queue = new Queue(MONITOR_QUEUE, { connection: queueConnection });
  if (config.incidents.enabled) await upsertSchedulers(queue, config, monitors);

  const runJob = async (job: Job): Promise<{ changes: number; skipped?: true }> => {
    const name = job.name === 'recheck' ? RECHECK_SCHEDULER : String(job.data?.monitor ?? '');
    const monitor = monitors.get(name);
    if (job.name !== 'recheck' && !monitor) {
      log.warn({ monitor: name }, 'a monitor job for a monitor this replica does not know; skipped');
      return { changes: 0, skipped: true };
    }
    const lock = await takeLock(locks, name, String(job.id));
    if (!lock) {
      log.info({ monitor: name, jobId: job.id }, 'monitor pass skipped: the previous one still runs');
      return { changes: 0, skipped: true };
    }
    try {
      const changes: MonitorChange[] = monitor
        ? await runs.monitor(name, monitor)
        : await runs.recheck(false);
      log.info({ monitor: name, jobId: job.id, changes: changes.length }, 'monitor pass');
      return { changes: changes.length };
    } finally {
      await lock.release();
    }
  };
  const workerConnection = connectRedis(redisUrl, { logger: log, name: `${MONITOR_QUEUE}-worker` });
  const worker = new Worker(MONITOR_QUEUE, runJob, { connection: workerConnection, concurrency });
  worker.on('failed', (job, error) => log.error({ jobId: job?.id, err: error }, 'monitor pass failed'));
  worker.on('error', (error) => log.error({ err: error }, 'monitor worker error'));
  await worker.waitUntilReady();
  log.info({ monitors: monitors.size, queue: MONITOR_QUEUE }, 'monitor schedulers ready');

  return {
    runPass: () => runs.pass([...monitors]),
    // The schedulers stay: the other replicas go on running them.
    async stop() {
      await worker.close();
      await queue.close();
      // BullMQ leaves connections it was given open: they are ours to close.
      await Promise.allSettled([queueConnection.quit(), workerConnection.quit(), locks.quit()]);
    },
  };
}

async function upsertSchedulers(
  queue: Queue,
  config: Config,
  monitors: Map<string, Config['monitors'][number]>,
): Promise<void> {
  const opts = { removeOnComplete: KEEP_JOBS, removeOnFail: KEEP_JOBS };
  for (const [name, monitor] of monitors)
    await queue.upsertJobScheduler(
      name,
      { every: monitor.intervalSeconds * 1000 },
      { name: 'monitor', data: { monitor: name }, opts },
    );
  await queue.upsertJobScheduler(
    RECHECK_SCHEDULER,
    { every: recheckIntervalMs(config) },
    { name: 'recheck', data: {}, opts },
  );
  // BullMQ lists the scheduler ids, then reads each one: a scheduler another replica removed in
  // between comes back undefined (replicas starting together), and is gone already.
  for (const scheduler of await queue.getJobSchedulers())
    if (scheduler && scheduler.key !== RECHECK_SCHEDULER && !monitors.has(scheduler.key))
      await queue.removeJobScheduler(scheduler.key);
}

/** One pass of a monitor at a time across replicas: a lock that expires with the pass's deadline. */
async function takeLock(redis: Redis, name: string, holder: string) {
  const key = `${KEY_PREFIX}monitor-pass:${name}`;
  const taken = await redis.set(key, holder, 'PX', PASS_DEADLINE_MS + 10_000, 'NX');
  if (taken !== 'OK') return null;
  return { release: () => redis.eval(RELEASE, 1, key, holder).then(() => undefined) };
}
