import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Conversation } from '../bot/conversation/conversation.js';
import type { Surface } from '../bot/conversation/ports.js';
import type { Config } from '../config/schema.js';
import type { SharedIncidents } from '../incidents/incident-posts.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { FeedbackStore } from '../store/feedback-store.js';
import { jumpOfFinding } from './finding-jump.js';
import { type HealthServer, type ReadinessCheck, startHealthServer } from './health-server.js';
import { createInFlight, type InFlight } from './in-flight.js';
import { instrumentConversation } from './instrument.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type OpsSettings, resolveOpsSettings } from './ops-settings.js';
import { acceptingCheck, redisCheck } from './readiness.js';
import { connectRedis } from './redis/connect-redis.js';
import { createRedisDedupeStore, type SharedDedupeStore } from './redis/redis-dedupe-store.js';
import { createRedisFeedbackStore } from './redis/redis-feedback-store.js';
import { createRedisIncidents } from './redis/redis-incident-tracker.js';
import { createRedisRateLimiter, type SharedRateLimiter } from './redis/redis-rate-limiter.js';
import {
  createRedisTriageState,
  type TriageRecord,
  type TriageStateStore,
} from './redis/redis-triage-state.js';
import { createShutdown, type Shutdown, type ShutdownStep } from './shutdown.js';
import type { ZoneDispatcher } from './zone-dispatcher.js';

/** What replicas share through Redis; null when `REDIS_URL` is unset (in-process defaults stay). */
export interface SharedState {
  redis: Redis;
  dedupe: SharedDedupeStore;
  feedback: FeedbackStore;
  limits: SharedRateLimiter;
  triages: TriageStateStore;
  /** Incidents and their helpdesk posts, one store for every replica. */
  incidents: SharedIncidents;
}

export interface OpsRuntime {
  readonly settings: OpsSettings;
  readonly replicaId: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly inFlight: InFlight;
  readonly shared: SharedState | null;
  /** Zone workers' dispatcher (pass `routeTarget` to the triage); null without Redis or zones. */
  readonly dispatcher: ZoneDispatcher | null;
  /** The conversation tracked for shutdown, logged and counted; in-progress state in Redis. */
  wrap(conversation: Conversation): Conversation;
  addCheck(check: ReadinessCheck): void;
  readonly checks: ReadinessCheck[];
  /** Health routes on `HEALTH_PORT` (or `ops.healthPort`); null when none is set. */
  startHealthPort(): Promise<HealthServer | null>;
  /** Graceful shutdown: `stopIntake` first, then drain, then `release` and the runtime's own connections. */
  createShutdown(steps: { stopIntake?: ShutdownStep[]; release?: ShutdownStep[] }): Shutdown;
}

export interface OpsRuntimeOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Tells the user of a triage whose replica died (platform adapters that can edit by id). */
  tellOrphan?: (record: TriageRecord) => Promise<void>;
  orphanScanMs?: number;
}

/** Everything `serve` needs to run for real, built once from the config and the environment. */
export async function createOpsRuntime({
  config,
  env = process.env,
  logger: given,
  tellOrphan,
  orphanScanMs = 5000,
}: OpsRuntimeOptions): Promise<OpsRuntime> {
  const settings = resolveOpsSettings(config.ops, env);
  const replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = given ?? createLogger({ level: settings.logLevel, base: { replica: replicaId } });
  const metrics = createMetrics();
  const inFlight = createInFlight({
    onInterrupted: (incoming) => metrics.triage('interrupted', incoming.platform),
  });
  const checks: ReadinessCheck[] = [acceptingCheck(inFlight)];
  let shared: SharedState | null = null;
  let dispatcher: ZoneDispatcher | null = null;
  const timers: NodeJS.Timeout[] = [];

  if (settings.redisUrl) {
    const redis = connectRedis(settings.redisUrl, { logger, name: 'rdp-triage-bot' });
    const triages = createRedisTriageState(redis, { replicaId });
    shared = {
      redis,
      dedupe: createRedisDedupeStore(redis),
      feedback: createRedisFeedbackStore(redis),
      limits: createRedisRateLimiter(redis),
      triages,
      incidents: createRedisIncidents(redis, config.incidents),
    };
    checks.push(redisCheck(redis));
    // Keep this replica's lease alive; find triages of replicas that died and tell their users.
    timers.push(setInterval(() => void triages.heartbeat().catch(() => {}), orphanScanMs));
    timers.push(
      setInterval(() => {
        void triages
          .claimOrphans()
          .then(async (orphans) => {
            for (const orphan of orphans) {
              metrics.triage('interrupted', orphan.platform);
              logger.warn(
                { triageId: orphan.triageId, platform: orphan.platform },
                'triage lost with its replica',
              );
              await tellOrphan?.(orphan).catch((error: unknown) =>
                logger.warn({ err: error }, 'could not tell user'),
              );
            }
          })
          .catch(() => {});
      }, orphanScanMs),
    );
    for (const timer of timers) timer.unref();
    if (config.ops.zones.length > 0) {
      // BullMQ loads only when zones are configured.
      const { createZoneDispatcher } = await import('./zone-dispatcher.js');
      dispatcher = await createZoneDispatcher({
        redisUrl: settings.redisUrl,
        zones: config.ops.zones,
        logger,
        metrics,
      });
    }
  }

  return {
    settings,
    replicaId,
    logger,
    metrics,
    inFlight,
    shared,
    dispatcher,
    checks,
    addCheck: (check) => {
      checks.push(check);
    },
    wrap(conversation) {
      const tracked = inFlight.wrap(
        instrumentConversation(conversation, { logger, metrics, jumpOf: jumpOfFinding(config) }),
      );
      if (!shared) return tracked;
      const { triages } = shared;
      return {
        async handle(incoming, surface, signal) {
          const triageId = randomUUID();
          await triages
            .begin({
              triageId,
              platform: incoming.platform,
              channel: incoming.channel,
              ...(incoming.thread !== undefined && { thread: incoming.thread }),
              startedAt: new Date().toISOString(),
            })
            .catch(() => {});
          // Once the message is up, record where it is: a survivor edits it if this replica dies.
          const recorded: Surface = {
            minUpdateIntervalMs: surface.minUpdateIntervalMs,
            async post(reply) {
              await surface.post(reply);
              const ref = surface.messageRef;
              if (ref !== undefined) await triages.attach(triageId, ref).catch(() => {});
            },
            update: (reply) => surface.update(reply),
            get messageRef() {
              return surface.messageRef;
            },
          };
          try {
            return await tracked.handle(incoming, recorded, signal);
          } finally {
            await triages.end(triageId).catch(() => {});
          }
        },
      };
    },
    async startHealthPort() {
      if (settings.healthPort === undefined) return null;
      const server = await startHealthServer({
        port: settings.healthPort,
        host: settings.healthHost,
        checks: () => checks,
        metrics,
      });
      logger.info({ port: server.port, host: settings.healthHost }, 'health endpoints listening');
      return server;
    },
    createShutdown({ stopIntake = [], release = [] }) {
      const own: ShutdownStep[] = [
        ...(dispatcher ? [{ name: 'zone-dispatcher', run: () => dispatcher?.close() }] : []),
        {
          name: 'redis',
          run: async () => {
            for (const timer of timers) clearInterval(timer);
            await shared?.redis.quit();
          },
        },
      ];
      return createShutdown({
        logger,
        inFlight,
        graceMs: settings.shutdownGraceMs,
        stopIntake,
        // The caller's steps (pools, store) before Redis: a store flush may still need nothing of
        // it, but the dispatcher must outlive the drain.
        release: [...release, ...own],
        // A surface's stop may wait for its running turns, which the drain ends by the grace time.
        stepTimeoutMs: settings.shutdownGraceMs + 10_000,
      });
    },
  };
}
