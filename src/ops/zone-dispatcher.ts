import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { ZoneConfig } from '../config/ops-schema.js';
import type { Logger } from '../log/logger.js';
import type { Finding } from '../report/finding.js';
import type { PlannedTarget } from '../triage/plan.js';
import type { TargetIo } from '../triage/run.js';
import type { Metrics } from './metrics.js';
import {
  type JobResult,
  jobDeadlineMs,
  jobEventSchema,
  jobResultSchema,
  queueName,
  zoneOfJump,
} from './probe-job.js';
import { connectRedis } from './redis/connect-redis.js';

export interface ZoneDispatcher {
  /** `TriageDeps.routeTarget`: targets behind a zone's jump go to that zone's workers. */
  routeTarget(target: PlannedTarget, timeoutMs: number, io: TargetIo): Promise<void> | null;
  close(): Promise<void>;
}

interface Waiter {
  seen: Set<string>;
  io: TargetIo;
  settle: (outcome: { result?: JobResult; failed?: string }) => void;
}

/**
 * The bot's side of zone workers: one BullMQ queue per zone on the shared Redis. A job carries one
 * target; the worker streams each Finding back as a progress event, and the job's return value
 * is the complete list. A job never ends silently: a worker that dies mid-job loses its lock and
 * another worker of the zone runs the job again (BullMQ stalled-job check); no worker at all, or
 * one that keeps dying, ends as a refusal the user reads ("run again").
 */
export async function createZoneDispatcher({
  redisUrl,
  zones,
  logger,
  metrics,
}: {
  redisUrl: string;
  zones: ZoneConfig[];
  logger: Logger;
  metrics?: Metrics;
}): Promise<ZoneDispatcher> {
  const waiters = new Map<string, Waiter>();
  const lanes = new Map<string, { queue: Queue; events: QueueEvents }>();
  for (const zone of zones) {
    const name = queueName(zone.name);
    const queue = new Queue(name, { connection: connectRedis(redisUrl, { logger, name: `${name}-queue` }) });
    const events = new QueueEvents(name, {
      connection: connectRedis(redisUrl, { logger, name: `${name}-events` }),
    });
    events.on('progress', ({ jobId, data }) => {
      const waiter = waiters.get(jobId);
      const parsed = jobEventSchema.safeParse(data);
      if (!waiter || !parsed.success) return;
      if ('finding' in parsed.data) deliver(waiter, parsed.data.finding as Finding);
      else {
        const { target, reason } = parsed.data.refusal;
        const key = `refusal|${target}|${reason}`;
        if (waiter.seen.has(key)) return;
        waiter.seen.add(key);
        waiter.io.refuse({ target, reason });
      }
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      const parsed = jobResultSchema.safeParse(parseReturn(returnvalue));
      waiters.get(jobId)?.settle(parsed.success ? { result: parsed.data } : { failed: 'unreadable result' });
    });
    events.on('failed', ({ jobId, failedReason }) => waiters.get(jobId)?.settle({ failed: failedReason }));
    events.on('stalled', ({ jobId }) => {
      if (!waiters.has(jobId)) return;
      metrics?.workerJob(zone.name, 'retried');
      logger.warn({ zone: zone.name, jobId }, 'a probe worker died mid-job; another worker takes it over');
    });
    await events.waitUntilReady();
    lanes.set(zone.name, { queue, events });
  }

  const dispatch = async (zone: ZoneConfig, target: PlannedTarget, timeoutMs: number, io: TargetIo) => {
    const lane = lanes.get(zone.name);
    if (!lane) return;
    const jobId = randomUUID();
    const outcome = new Promise<{ result?: JobResult; failed?: string }>((resolve) => {
      waiters.set(jobId, { seen: new Set(), io, settle: resolve });
    });
    const timer = new AbortController();
    try {
      await lane.queue.add(
        'probe',
        { timeoutMs, target: { ...target, mustResolveIntoAllowed: undefined } },
        {
          jobId,
          // The worker's own stalled-job check retries a job whose worker died (maxStalledCount);
          // a job that failed in the worker is not retried: its error is the answer.
          attempts: 1,
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      );
      const deadline = delay(jobDeadlineMs(zone, timeoutMs), 'deadline' as const, {
        signal: AbortSignal.any([timer.signal, io.signal]),
      }).catch(() => 'aborted' as const);
      const queued = delay(zone.queueWaitMs, 'queue-wait' as const, { signal: timer.signal }).catch(
        () => null,
      );
      const waited = queued.then(async (tag) => {
        // Nobody took the job in time and no worker of this zone is connected (busy workers are
        // connected: then the job waits its turn until the deadline).
        if (
          tag &&
          (await lane.queue.getJobState(jobId)) === 'waiting' &&
          (await lane.queue.getWorkersCount()) === 0
        )
          return tag;
        return new Promise<never>(() => {});
      });
      const first = await Promise.race([outcome, deadline, waited]);
      const waiter = waiters.get(jobId);
      if (first === 'queue-wait') {
        await lane.queue.remove(jobId).catch(() => 0);
        metrics?.workerJob(zone.name, 'no_worker');
        io.refuse({
          target: target.name,
          reason: `no probe worker for zone ${zone.name} is running; run again later`,
        });
        return;
      }
      if (first === 'aborted') {
        await lane.queue.remove(jobId).catch(() => 0);
        return;
      }
      if (first === 'deadline') {
        // The completed event may have been missed (Redis blip): read the job before giving up.
        const job = await Job.fromId(lane.queue, jobId);
        const late = job?.returnvalue ? jobResultSchema.safeParse(job.returnvalue) : null;
        if (late?.success && waiter) {
          for (const finding of late.data.findings) deliver(waiter, finding as Finding);
          metrics?.workerJob(zone.name, 'completed');
          return;
        }
        const state = await lane.queue.getJobState(jobId);
        await lane.queue.remove(jobId).catch(() => 0);
        metrics?.workerJob(zone.name, 'lost');
        io.refuse({
          target: target.name,
          reason:
            state === 'waiting'
              ? `the probe workers of zone ${zone.name} are all busy; run again in a minute`
              : `the probe worker of zone ${zone.name} stopped answering; run again`,
        });
        return;
      }
      if (first.result && waiter) {
        for (const finding of first.result.findings) deliver(waiter, finding as Finding);
        metrics?.workerJob(zone.name, 'completed');
        return;
      }
      metrics?.workerJob(zone.name, 'lost');
      logger.warn({ zone: zone.name, jobId, reason: first.failed }, 'probe job failed in its worker');
      io.refuse({
        target: target.name,
        reason: `the probe worker of zone ${zone.name} failed (${first.failed}); run again`,
      });
    } finally {
      timer.abort();
      waiters.delete(jobId);
    }
  };

  return {
    routeTarget(target, timeoutMs, io) {
      const zone = zoneOfJump(zones, target.jump);
      return zone ? dispatch(zone, target, timeoutMs, io) : null;
    },
    async close() {
      await Promise.all(
        [...lanes.values()].map(async ({ queue, events }) => {
          await events.close();
          await queue.close();
        }),
      );
    },
  };
}

/** A worker that ran the job twice (after a takeover) streams some findings twice: show each once. */
function deliver(waiter: Waiter, finding: Finding): void {
  const key = `${finding.probe}|${finding.target}`;
  if (waiter.seen.has(key)) return;
  waiter.seen.add(key);
  waiter.io.emit(finding);
}

function parseReturn(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
