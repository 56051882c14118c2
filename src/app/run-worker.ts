import type { Config } from '../config/schema.js';
import { TriageError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { createInFlight } from '../ops/in-flight.js';
import { resolveOpsSettings } from '../ops/ops-settings.js';
import { flagCheck, jumpReachableCheck, redisCheck } from '../ops/readiness.js';
import { createShutdown, type Shutdown } from '../ops/shutdown.js';
import type { Connector } from '../probes/connector.js';
import { createDirectConnector } from '../probes/direct-connector.js';
import { createJumpPool } from '../probes/jump-pool.js';

export interface WorkerOptions {
  config: Config;
  /** Zone to serve (config ops.zones[].name). */
  zone: string;
  /** Jobs at once; default: the zone setting. */
  concurrency?: number;
}

/**
 * A probe worker for one network zone (`rdp-triage worker --zone eu`): takes probe jobs from the
 * bot's Redis, probes through the zone's jumps, streams findings back; health endpoints and a
 * graceful shutdown like the bot's. Returns once it is taking jobs.
 */
export async function runWorker({ config, zone: zoneName, concurrency }: WorkerOptions): Promise<{
  shutdown: Shutdown;
}> {
  const ops = resolveOpsSettings(config.ops);
  const zone = config.ops.zones.find((z) => z.name === zoneName);
  if (!zone) {
    const known = config.ops.zones.map((z) => z.name).join(', ') || 'none configured';
    throw new TriageError('CONFIG_INVALID', `zone ${zoneName} is not in ops.zones (known: ${known})`);
  }
  if (!ops.redisUrl) throw new TriageError('CONFIG_INVALID', 'the worker needs REDIS_URL (or ops.redisUrl)');
  const logger = createLogger({ level: ops.logLevel, base: { role: 'worker' } });
  const direct = createDirectConnector();
  // One pooled SSH connection per configured jump, as in the bot (src/probes/jump-pool.ts).
  const jumps = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
  const connectorFor = (jump: string | null): Connector => {
    // A zone name that is not a configured jump stands for the worker's own network.
    if (jump === null || !config.jumps.some((j) => j.name === jump)) return direct;
    return jumps.connector(jump);
  };
  // BullMQ and ioredis load only when a worker really starts (keeps the other commands quick).
  const { startZoneWorker } = await import('../ops/worker.js');
  const { startHealthServer } = await import('../ops/health-server.js');
  const { createMetrics, poolSamples } = await import('../ops/metrics.js');
  const metrics = createMetrics();
  metrics.observePools(() =>
    poolSamples(config.jumps.map((jump) => ({ jump: jump.name, ...jumps.stats(jump.name) }))),
  );
  const worker = await startZoneWorker({
    onFinding: (finding, jump) => metrics.probe(finding, jump),
    redisUrl: ops.redisUrl,
    zone,
    config,
    connectorFor,
    logger,
    ...(concurrency !== undefined && { concurrency }),
  });
  const inFlight = createInFlight();
  let closing = false;
  const health =
    ops.healthPort === undefined
      ? null
      : await startHealthServer({
          port: ops.healthPort,
          host: ops.healthHost,
          // Ready while it takes jobs, its Redis answers and the zone's SSH jumps greet.
          checks: [
            flagCheck('accepting', () => !closing, 'shutting down'),
            redisCheck(worker),
            ...config.jumps.filter((jump) => zone.jumps.includes(jump.name)).map(jumpReachableCheck),
          ],
          metrics,
        });
  if (health) logger.info({ port: health.port, host: ops.healthHost }, 'health endpoints listening');
  const shutdown = createShutdown({
    logger,
    inFlight,
    graceMs: ops.shutdownGraceMs,
    // BullMQ's close waits for running jobs, so their findings still reach the bot.
    stopIntake: [
      {
        name: 'worker',
        run: () => {
          closing = true;
          return worker.close();
        },
      },
    ],
    release: [
      { name: 'jump-pool', run: () => jumps.close() },
      ...(health ? [{ name: 'health', run: () => health.close() }] : []),
    ],
    stepTimeoutMs: ops.shutdownGraceMs + 5000,
  });
  return { shutdown };
}
