import { isIP } from 'node:net';
import type { Config } from '../config/schema.js';
import { rank } from '../fixes/rank.js';
import type { FeedbackStats } from '../fixes/ranked-fix.js';
import type { Understanding } from '../intents/understanding.js';
import type { Connector } from '../probes/connector.js';
import { probeDns, type Resolve, resolveWithSystem } from '../probes/dns.js';
import type { Finding } from '../probes/finding.js';
import type { ProbeTarget } from '../probes/probe-target.js';
import { probeRdp } from '../probes/rdp-negotiate.js';
import { probeTcp } from '../probes/tcp.js';
import type { Allowlist } from './allowlist.js';
import { type PlannedTarget, plan } from './plan.js';
import type { Refusal, Report } from './report.js';

export interface TriageDeps {
  config: Config;
  allowlist: Allowlist;
  /** Connector for a jump name, or for `null` (direct). */
  connectorFor: (jump: string | null) => Connector;
  resolve?: Resolve;
  stats?: FeedbackStats;
  now?: () => number;
  clock?: () => Date;
  /**
   * Probes a target somewhere else (a zone worker, src/ops/worker.ts) and returns its promise,
   * or returns null to probe it here. Findings and refusals arrive through `io` either way.
   */
  routeTarget?: (target: PlannedTarget, timeoutMs: number, io: TargetIo) => Promise<void> | null;
}

/** How one target's probing reports back to its triage. */
export interface TargetIo {
  signal: AbortSignal;
  emit: (finding: Finding) => void;
  refuse: (refusal: Refusal) => void;
}

/**
 * understand → plan → probe → rank → Report. Every target's probes run in parallel; each probe has
 * its own deadline; `onFinding` streams results as they complete.
 */
export async function runTriage(
  understanding: Understanding,
  deps: TriageDeps,
  { signal, onFinding = () => {} }: { signal: AbortSignal; onFinding?: (finding: Finding) => void },
): Promise<Report> {
  const { config, stats = {}, now = performance.now.bind(performance), clock = () => new Date() } = deps;
  const startedAt = clock().toISOString();
  const started = now();
  const triagePlan = plan(understanding, config, deps.allowlist);
  const findings: Finding[] = [];
  const refusals: Refusal[] = [...triagePlan.refusals];
  const emit = (finding: Finding) => {
    findings.push(finding);
    onFinding(finding);
  };
  await Promise.all(
    triagePlan.targets.map((target) => {
      const io: TargetIo = { signal, emit, refuse: (r) => refusals.push(r) };
      return (
        deps.routeTarget?.(target, triagePlan.timeoutMs, io) ??
        probeTarget(target, triagePlan.timeoutMs, deps, io)
      );
    }),
  );
  return {
    understanding,
    findings,
    fixes: rank(understanding, findings, stats),
    refusals,
    startedAt,
    ms: Math.round(now() - started),
  };
}

/** Probes one planned target from this process (also what a zone worker runs for its jobs). */
export async function probeTarget(
  target: PlannedTarget,
  timeoutMs: number,
  deps: TriageDeps,
  { signal, emit, refuse }: TargetIo,
): Promise<void> {
  const deadline = () => AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let address = target.address ?? target.name;
  const how = target.mustResolveIntoAllowed ? 'range' : 'name';
  if (isIP(address) === 0) {
    const { finding, addresses } = await probeDns(address, {
      resolve: deps.resolve ?? resolveWithSystem,
      signal: deadline(),
    });
    emit(finding);
    const first = addresses[0];
    if (first === undefined) return;
    // Every resolved address is checked, also for names allowed by inventory or suffix: such a name
    // that resolves into deny.cidrs, loopback or cloud metadata is refused (no DNS-rebinding way in).
    // The probes then connect to the checked address, never to the name again.
    const forbidden = addresses.map((a) => deps.allowlist.checkAddress(a, how)).find((v) => !v.allowed);
    if (forbidden) {
      refuse({ target: target.name, reason: `not allowed to probe: it resolves to ${forbidden.reason}` });
      return;
    }
    address = first;
  } else {
    const verdict = deps.allowlist.checkAddress(address, how);
    if (!verdict.allowed) {
      refuse({ target: target.name, reason: `not allowed to probe: ${verdict.reason}` });
      return;
    }
  }
  const probeTargetSpec: ProbeTarget = {
    host: address,
    port: target.port,
    ...(address !== target.name && { displayName: target.name }),
  };
  const connector = deps.connectorFor(target.jump);
  const runs: Promise<Finding>[] = [];
  if (target.probes.includes('tcp')) runs.push(probeTcp(probeTargetSpec, { connector, signal: deadline() }));
  if (target.probes.includes('rdp')) runs.push(probeRdp(probeTargetSpec, { connector, signal: deadline() }));
  await Promise.all(runs.map((run) => run.then(emit)));
}
