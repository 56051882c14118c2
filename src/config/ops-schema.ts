import { z } from 'zod';

/**
 * Running it for real (src/ops): logs, health endpoints, shutdown, replicas and zone workers.
 * The environment wins over the file for the settings an operator sets per machine:
 * `LOG_LEVEL`, `HEALTH_PORT`, `HEALTH_HOST`, `REDIS_URL`.
 */

export const OPS_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Numbers are coerced so `RDP_TRIAGE__ops__healthPort=9464` works like a YAML number.
const port = z.coerce.number().int().min(0).max(65535);
const ms = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const zoneSchema = z.object({
  /** Zone name, as given to `rdp-triage worker --zone <name>` (letters, digits, dash). */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and dashes, e.g. eu'),
  /**
   * Jump names whose targets this zone's workers probe instead of the bot. A name that is a
   * configured jump (`jumps:`) is used through SSH by the worker; any other name stands for the
   * worker's own network: the worker probes directly (pin hosts to it with inventory `jump:`).
   */
  jumps: z.array(z.string().min(1)).min(1, 'name at least one jump this zone serves'),
  /**
   * A worker holds a job under a lock it renews every half of this; a worker that dies loses the
   * lock after this long and another worker of the zone takes the job over (BullMQ stalled jobs).
   */
  lockMs: ms(1000, 120_000, 5000),
  /** How long the bot waits for any worker of the zone to take a job before reporting none runs. */
  queueWaitMs: ms(500, 120_000, 10_000),
  /** Jobs a worker runs at once (`--concurrency` overrides). */
  concurrency: z.coerce.number().int().min(1).max(500).default(20),
});

export const opsSchema = z
  .object({
    /** Log level of the JSON logs (pino). `LOG_LEVEL` wins. */
    logLevel: z.enum(OPS_LOG_LEVELS).default('info'),
    /**
     * Port of `/healthz`, `/readyz`, `/metrics` (0: any free port, logged). `HEALTH_PORT` wins.
     * Unset: no health endpoints.
     */
    healthPort: port.optional(),
    /** Address the health port listens on. Loopback by default; `0.0.0.0` in a container. */
    healthHost: z.string().min(1).default('127.0.0.1'),
    /** After SIGTERM, running triages may finish for this long; the rest are told to run again. */
    shutdownGraceMs: ms(0, 600_000, 20_000),
    /**
     * Redis for several replicas and zone workers (`redis://host:6379/0`). `REDIS_URL` wins; put a
     * URL with a password there, not in the file. Unset: everything stays in this process.
     */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    /** Probe workers per network zone (`rdp-triage worker --zone <name>`), needs Redis. */
    zones: z.array(zoneSchema).default([]),
  })
  .prefault({});

export type OpsConfig = z.infer<typeof opsSchema>;
export type ZoneConfig = z.infer<typeof zoneSchema>;
