import { hostname } from 'node:os';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { ZoneConfig } from '../config/ops-schema.js';
import type { Config } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import type { Logger } from '../log/logger.js';
import type { Connector } from '../probes/connector.js';
import { hostPort } from '../probes/probe-target.js';
import type { Finding } from '../report/finding.js';
import type { Refusal } from '../report/report.js';
import { createAllowlist } from '../triage/allowlist.js';
import type { PlannedTarget } from '../triage/plan.js';
import { probeTarget } from '../triage/run.js';
import { type JobResult, type ProbeJob, probeJobSchema, queueName } from './probe-job.js';
import { connectRedis } from './redis/connect-redis.js';

export interface ZoneWorker {
  readonly id: string;
  /** PING on the worker's Redis connection (for /readyz). */
  ping(): Promise<string>;
  /** Stops taking jobs, lets the running ones finish (their findings still reach the bot), disconnects. */
  close(): Promise<void>;
}

export interface ZoneWorkerOptions {
  redisUrl: string;
  zone: ZoneConfig;
  /** The worker's own config: its allow/deny lists and inventory decide, not the job. */
  config: Config;
  connectorFor: (jump: string | null) => Connector;
  logger: Logger;
  concurrency?: number;
  id?: string;
  /** Every finding the worker probed, with the jump it went through (metrics). */
  onFinding?: (finding: Finding, jump: string) => void;
}

/**
 * `rdp-triage worker --zone eu`: takes probe jobs of one zone from Redis (BullMQ), probes each
 * target with the same code the bot uses (`probeTarget`), streams every Finding back as a
 * progress event and returns the full list. The worker holds each job under a lock it renews
 * (`zone.lockMs`); if it dies, the lock expires and another worker of the zone runs the job.
 */
export async function startZoneWorker({
  redisUrl,
  zone,
  config,
  connectorFor,
  logger,
  concurrency = zone.concurrency,
  id = `${hostname()}:${process.pid}`,
  onFinding = () => {},
}: ZoneWorkerOptions): Promise<ZoneWorker> {
  const allowlist = createAllowlist(config);
  const log = logger.child({ zone: zone.name, worker: id });

  const runJob = async (job: Job, _token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const parsed = probeJobSchema.safeParse(job.data);
    // A malformed job is not retried: another worker would refuse it the same way.
    if (!parsed.success)
      throw new UnrecoverableError(`malformed probe job: ${parsed.error.issues[0]?.message}`);
    const findings: Finding[] = [];
    const refusals: Refusal[] = [];
    const sent: Promise<void>[] = [];
    const refuse = (refusal: Refusal) => {
      refusals.push(refusal);
      sent.push(job.updateProgress({ refusal }));
    };
    const target = checkTarget(parsed.data, zone, config, allowlist, refuse);
    log.info(
      { jobId: job.id, target: parsed.data.target.name, attempt: job.attemptsStarted },
      'probe job started',
    );
    if (target) {
      const deadline = deadlineSignal(3 * parsed.data.timeoutMs);
      await probeTarget(
        target,
        parsed.data.timeoutMs,
        { config, allowlist, connectorFor },
        {
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
          emit: (finding) => {
            findings.push(finding);
            onFinding(finding, target.jump ?? 'direct');
            sent.push(job.updateProgress({ finding }));
          },
          refuse,
        },
      );
    }
    // Progress events go out before the completion, so the bot's message fills in order.
    await Promise.allSettled(sent);
    log.info({ jobId: job.id, findings: findings.length, refusals: refusals.length }, 'probe job done');
    return { findings, refusals, worker: id };
  };

  const connection = connectRedis(redisUrl, { logger: log, name: `${queueName(zone.name)}-worker` });
  const worker = new Worker(queueName(zone.name), runJob, {
    connection,
    concurrency,
    lockDuration: zone.lockMs,
    // Workers look for jobs whose holder died this often; one takeover per job, then it fails
    // ("job stalled more than allowable limit") and the bot tells the user.
    stalledInterval: zone.lockMs,
    maxStalledCount: 1,
    autorun: true,
  });
  worker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error }, 'probe job failed'));
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  await worker.waitUntilReady();
  log.info({ queue: queueName(zone.name), concurrency }, 'probe worker ready');
  return {
    id,
    ping: () => connection.ping(),
    close: () => worker.close(),
  };
}

/**
 * The job names a target; the worker decides with its own config whether and how to probe it:
 * the jump must belong to the zone, the name must not be denied, the port must be configured,
 * and an inventory address comes from the worker's inventory, never from the job.
 */
function checkTarget(
  job: ProbeJob,
  zone: ZoneConfig,
  config: Config,
  allowlist: ReturnType<typeof createAllowlist>,
  refuse: (refusal: Refusal) => void,
): PlannedTarget | null {
  const { target } = job;
  if (target.jump === null || !zone.jumps.includes(target.jump)) {
    refuse({
      target: target.name,
      reason: `zone ${zone.name} does not serve jump ${target.jump ?? 'direct'}`,
    });
    return null;
  }
  const verdict = allowlist.checkName(target.name);
  if (verdict.verdict === 'deny') {
    refuse({ target: target.name, reason: `not allowed to probe: ${verdict.reason}` });
    return null;
  }
  const inventory = config.inventory.find((host) => host.name.toLowerCase() === target.name.toLowerCase());
  const ports = [
    ...config.probes.rdpPorts,
    ...config.probes.gatewayPorts,
    ...(inventory ? [inventory.port] : []),
  ];
  if (!ports.includes(target.port)) {
    refuse({
      target: hostPort(target.name, target.port),
      reason: `port ${target.port} is not configured on this worker`,
    });
    return null;
  }
  return {
    name: target.name,
    ...(inventory?.address && { address: inventory.address }),
    port: target.port,
    role: target.role,
    jump: target.jump,
    mustResolveIntoAllowed: verdict.verdict === 'resolve',
    probes: target.probes,
  };
}
