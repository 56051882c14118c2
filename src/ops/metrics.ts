import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Finding } from '../report/finding.js';
import type { Report } from '../report/report.js';
import type { Understanding } from '../report/understanding.js';

/** How a handled message ended, as counted in `rdp_triage_triages_total{outcome}`. */
export const TRIAGE_OUTCOMES = [
  'report', // probes ran (or were planned) and a report was posted
  'answered', // help, feedback, out of scope, empty: a text answer, no probes
  'refused', // every named target refused (allowlist, roles)
  'rate_limited',
  'failed', // the triage threw; the user got "please try again"
  'interrupted', // shutdown reached its deadline; the user was told to run again
  'duplicate', // a retried or already-claimed delivery: not answered again
] as const;
export type TriageOutcome = (typeof TRIAGE_OUTCOMES)[number];

export interface PoolSample {
  jump: string;
  /** `open`: SSH connections up; `channels`: direct-tcpip channels open on them. */
  state: 'open' | 'channels';
  connections: number;
}

/** The two samples of each jump pool: SSH connection up or not, and direct-tcpip channels open. */
export function poolSamples(
  pools: readonly { jump: string; connected: boolean; channelsOpen: number }[],
): PoolSample[] {
  return pools.flatMap((pool) => [
    { jump: pool.jump, state: 'open' as const, connections: pool.connected ? 1 : 0 },
    { jump: pool.jump, state: 'channels' as const, connections: pool.channelsOpen },
  ]);
}

export interface Metrics {
  readonly registry: Registry;
  triage(outcome: TriageOutcome, platform: string): void;
  probe(finding: Finding, jump: string): void;
  classifier(understanding: Understanding): void;
  /** A Slack / Teams Web API call failed (status or error code as `reason`). */
  apiError(platform: string, method: string, reason: string): void;
  rateLimitRefusal(scope: string): void;
  inFlight(delta: 1 | -1): void;
  workerJob(zone: string, outcome: 'completed' | 'retried' | 'lost' | 'no_worker'): void;
  /** Pool connection counts, read at each scrape (the pool owns the numbers). */
  observePools(sample: () => PoolSample[]): void;
  /** Report-level bookkeeping: every finding's latency (jump per finding from `jumpOf`). */
  report(report: Report, jumpOf?: (finding: Finding) => string): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * The process's Prometheus metrics (prom-client), in their own registry so tests and several bots
 * in one process do not share counters. Names follow the Prometheus naming guide: `_total` for
 * counters, base units (seconds) for latencies.
 */
export function createMetrics({
  registry = new Registry(),
  defaultMetrics = true,
  prefix = 'rdp_triage_',
}: {
  registry?: Registry;
  defaultMetrics?: boolean;
  prefix?: string;
} = {}): Metrics {
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  const triages = new Counter({
    name: `${prefix}triages_total`,
    help: 'Handled chat messages by outcome and platform.',
    labelNames: ['outcome', 'platform'],
    registers,
  });
  const inFlight = new Gauge({
    name: `${prefix}triages_in_flight`,
    help: 'Triages running now in this process.',
    registers,
  });
  const probeSeconds = new Histogram({
    name: `${prefix}probe_duration_seconds`,
    help: 'Wall time of one probe, by probe kind, jump and status.',
    labelNames: ['probe', 'jump', 'status'],
    // Probe deadlines are 0.1–60 s (config probes.timeoutMs); loopback answers in milliseconds.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers,
  });
  const confidence = new Histogram({
    name: `${prefix}classifier_confidence`,
    help: 'Confidence of the intent classifier per understood message, by intent.',
    labelNames: ['intent'],
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
    registers,
  });
  const apiErrors = new Counter({
    name: `${prefix}platform_api_errors_total`,
    help: 'Failed Slack / Teams API calls by platform, method and reason.',
    labelNames: ['platform', 'method', 'reason'],
    registers,
  });
  const rateLimited = new Counter({
    name: `${prefix}rate_limit_refusals_total`,
    help: 'Triages refused by a rate limit, by scope (user, channel).',
    labelNames: ['scope'],
    registers,
  });
  const workerJobs = new Counter({
    name: `${prefix}worker_jobs_total`,
    help: 'Probe jobs sent to zone workers, by zone and outcome.',
    labelNames: ['zone', 'outcome'],
    registers,
  });
  const poolSamplers: (() => PoolSample[])[] = [];
  new Gauge({
    name: `${prefix}pool_connections`,
    help: 'Jump pool: SSH connections up (state=open) and direct-tcpip channels open (state=channels), by jump.',
    labelNames: ['jump', 'state'],
    registers,
    collect() {
      this.reset();
      for (const sample of poolSamplers.flatMap((read) => read()))
        this.set({ jump: sample.jump, state: sample.state }, sample.connections);
    },
  });

  const metrics: Metrics = {
    registry,
    contentType: registry.contentType,
    triage: (outcome, platform) => triages.inc({ outcome, platform }),
    probe: (finding, jump) =>
      probeSeconds.observe({ probe: finding.probe, jump, status: finding.status }, finding.ms / 1000),
    classifier: (understanding) =>
      confidence.observe({ intent: understanding.intent }, understanding.confidence),
    apiError: (platform, method, reason) => apiErrors.inc({ platform, method, reason }),
    rateLimitRefusal: (scope) => rateLimited.inc({ scope }),
    inFlight: (delta) => inFlight.inc(delta),
    workerJob: (zone, outcome) => workerJobs.inc({ zone, outcome }),
    observePools: (sample) => {
      poolSamplers.push(sample);
    },
    report: (report, jumpOf = () => 'direct') => {
      for (const finding of report.findings) metrics.probe(finding, jumpOf(finding));
    },
    render: () => registry.metrics(),
  };
  return metrics;
}
