import type { Config } from '../config/schema.js';
import { TriageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { HealthServer } from '../ops/health-server.js';
import { LOST_REPLICA_TEXT } from '../ops/in-flight.js';
import { poolSamples } from '../ops/metrics.js';
import { createOpsRuntime, type OpsRuntime } from '../ops/ops-runtime.js';
import { jumpReachableCheck } from '../ops/readiness.js';
import type { Shutdown } from '../ops/shutdown.js';
import type { Bot } from './assemble.js';
import { type Served, type SurfaceStarter, startServe } from './serve.js';

export interface RunningBot {
  runtime: OpsRuntime;
  served: Served;
  health: HealthServer | null;
  shutdown: Shutdown;
}

/**
 * `serve` for real: the ops runtime (logs, metrics, Redis-shared state when `REDIS_URL` is set,
 * zone workers), every configured surface over one bot, the health port, and a shutdown that
 * stops the surfaces, drains, then releases the bot (SSH pools, store), the health port and Redis.
 */
export async function runBot({
  config,
  env = process.env,
  surfaces,
  logger,
}: {
  config: Config;
  env?: NodeJS.ProcessEnv;
  surfaces?: SurfaceStarter[];
  logger?: Logger;
}): Promise<RunningBot> {
  // Triages lost with another replica are told through the surface of their platform, once served.
  let served: Served | undefined;
  const runtime = await createOpsRuntime({
    config,
    env,
    ...(logger && { logger }),
    tellOrphan: async (record) => {
      const surface = served?.surfaces.find((running) => running.name === record.platform);
      if (!surface?.tellInterrupted)
        throw new TriageError(
          'INTERNAL',
          `this replica does not serve ${record.platform}; the user was not told`,
        );
      await surface.tellInterrupted(record, LOST_REPLICA_TEXT);
    },
  });
  // Jumps the bot itself uses (not those a zone worker reaches) must answer for /readyz.
  const zoneJumps = new Set(config.ops.zones.flatMap((zone) => zone.jumps));
  for (const jump of config.jumps) if (!zoneJumps.has(jump.name)) runtime.addCheck(jumpReachableCheck(jump));
  const { redisUrl } = runtime.settings;
  served = await startServe({
    config,
    env,
    logger: runtime.logger,
    ...(surfaces && { surfaces }),
    wrap: (conversation) => runtime.wrap(conversation),
    ...(runtime.shared && {
      feedback: runtime.shared.feedback,
      dedupe: runtime.shared.dedupe,
      limits: runtime.shared.limits,
      sharedIncidents: runtime.shared.incidents,
    }),
    ...(redisUrl && {
      // Each monitor once per interval across replicas (BullMQ job schedulers); loaded only here.
      startMonitors: async (bot: Bot) => {
        const { startMonitorJobs } = await import('./monitor-jobs.js');
        return startMonitorJobs({ redisUrl, bot, config, logger: runtime.logger });
      },
    }),
    ...(runtime.dispatcher && { routeTarget: runtime.dispatcher.routeTarget }),
    onApiError: runtime.metrics.apiError,
  });
  const { checkStore } = served;
  if (checkStore) runtime.addCheck({ name: 'store', check: async () => checkStore() });
  // Not ready while a surface cannot receive (Slack socket down, listener closed).
  for (const surface of served.surfaces) {
    const health = surface.health?.bind(surface);
    if (health) runtime.addCheck({ name: `surface:${surface.name}`, check: async () => health() });
  }
  runtime.metrics.observePools(() => poolSamples(served.poolStats()));
  const health = await runtime.startHealthPort();
  const shutdown = runtime.createShutdown({
    stopIntake: served.surfaces.map((surface) => ({ name: surface.name, run: () => surface.stop() })),
    release: [
      { name: 'bot', run: () => served.close() },
      ...(health ? [{ name: 'health', run: () => health.close() }] : []),
    ],
  });
  runtime.logger.info(
    {
      surfaces: served.surfaces.map((s) => s.name),
      redis: runtime.shared !== null,
      zones: config.ops.zones.map((zone) => zone.name),
      ...(health && { healthPort: health.port }),
    },
    'serving',
  );
  return { runtime, served, health, shutdown };
}
