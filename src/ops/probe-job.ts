import { z } from 'zod';
import type { ZoneConfig } from '../config/ops-schema.js';
import { PROBE_KINDS } from '../report/finding.js';

/**
 * The wire format between a bot and the probe workers of a zone (BullMQ jobs in Redis). Workers
 * parse it with zod: whoever can write to Redis must not be able to make a worker probe anything
 * its own config does not allow, so the worker checks the target again (worker.ts).
 */
export const probeJobSchema = z.object({
  timeoutMs: z.number().int().min(100).max(60_000),
  target: z.object({
    name: z.string().min(1).max(253),
    address: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535),
    role: z.enum(['host', 'gateway']),
    jump: z.string().min(1).max(100).nullable(),
    probes: z.array(z.enum(PROBE_KINDS)).max(PROBE_KINDS.length),
  }),
});
export type ProbeJob = z.infer<typeof probeJobSchema>;

/** What a job streams while it runs (BullMQ progress events) and what it returns at the end. */
export const findingSchema = z.object({
  probe: z.enum(PROBE_KINDS),
  target: z.string(),
  status: z.enum(['ok', 'warn', 'fail', 'timeout', 'skipped', 'refused']),
  code: z.string(),
  summary: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
  ms: z.number(),
});
export const refusalSchema = z.object({ target: z.string(), reason: z.string() });
export const jobEventSchema = z.union([
  z.object({ finding: findingSchema }),
  z.object({ refusal: refusalSchema }),
]);
export const jobResultSchema = z.object({
  findings: z.array(findingSchema),
  refusals: z.array(refusalSchema),
  worker: z.string(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/** BullMQ queue names may not contain `:`; one queue per zone. */
export function queueName(zone: string): string {
  return `rdp-triage-probes-${zone}`;
}

/** Which zone (if any) probes targets behind `jump`. */
export function zoneOfJump(zones: ZoneConfig[], jump: string | null): ZoneConfig | undefined {
  if (jump === null) return undefined;
  return zones.find((zone) => zone.jumps.includes(jump));
}

/**
 * How long the bot waits for a job: queue wait, then two probe rounds (DNS, then the parallel
 * TCP/RDP/TLS probes), plus one takeover after a dying worker (lock expiry + stalled check).
 */
export function jobDeadlineMs(zone: ZoneConfig, timeoutMs: number): number {
  const run = 2 * timeoutMs + 1000;
  return zone.queueWaitMs + run + 2 * zone.lockMs + run;
}
