import { getMaxListeners, setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Config } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import { TriageError } from '../errors.js';
import { loadBuiltinKnowledgeBase } from '../fixes/builtin-kb.js';
import type { KnowledgeBase } from '../fixes/knowledge-base.js';
import { pickDiagnostics } from '../fixes/pick-diagnostics.js';
import { rank, snippetValues } from '../fixes/rank.js';
import { type NetworkProbe, runBattery } from '../probes/battery.js';
import { ConnectFailure, type Connector } from '../probes/connector.js';
import { probeDns, type Resolve, resolveWithSystem } from '../probes/dns.js';
import type { ProbeTarget } from '../probes/probe-target.js';
import type { Finding } from '../report/finding.js';
import type { FeedbackStats } from '../report/ranked-fix.js';
import type { Refusal, Report } from '../report/report.js';
import type { Understanding } from '../report/understanding.js';
import type { Allowlist } from './allowlist.js';
import { type PlannedTarget, plan, probeTimeouts } from './plan.js';

export interface TriageDeps {
  config: Config;
  allowlist: Allowlist;
  /** Connector for a jump name, or for `null` (direct). */
  connectorFor: (jump: string | null) => Connector;
  resolve?: Resolve;
  stats?: FeedbackStats;
  /** Knowledge base to rank with (shipped data + kb.extensionsDir); default: the shipped one. */
  kb?: KnowledgeBase;
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
  const jumpFailures = new Set<string>();
  const emit = (finding: Finding) => {
    // One jump failure is one finding per triage, however many probes ran into it.
    if (finding.probe === 'jump') {
      const key = `${finding.target} ${finding.code}`;
      if (jumpFailures.has(key)) return;
      jumpFailures.add(key);
    }
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
  const kb = deps.kb ?? loadBuiltinKnowledgeBase();
  const diagnostics = pickDiagnostics(kb, understanding, snippetValues(understanding));
  return {
    understanding,
    findings,
    fixes: rank(understanding, findings, stats, kb),
    ...(diagnostics.length > 0 && { diagnostics }),
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
  const now = deps.now ?? performance.now.bind(performance);
  const startedAt = now();
  const timeouts = probeTimeouts(deps.config);
  // Every probe of every target listens on the triage's signal: more than Node's default 10.
  if (getMaxListeners(signal) < 100) setMaxListeners(100, signal);
  const budget = (ms: number) => Math.min(ms, timeoutMs);
  const deadline = (ms: number) =>
    AbortSignal.any([signal, deadlineSignal(Math.max(1, Math.ceil(budget(ms) - (now() - startedAt))))]);
  const connector = deps.connectorFor(target.jump);
  const jumpFailed = (failure: ConnectFailure) =>
    emit(jumpFinding(connector.label, failure, Math.round(now() - startedAt)));

  // Through a jump: connect (and verify its host key) before anything is sent for this target.
  if (connector.ready) {
    try {
      await connector.ready(deadline(timeouts.tcp));
    } catch (error) {
      const failure =
        error instanceof ConnectFailure
          ? error
          : new ConnectFailure('jump', error instanceof Error ? error.message : String(error));
      jumpFailed(failure);
      return;
    }
  }

  let address = target.address ?? target.name;
  const how = target.mustResolveIntoAllowed ? 'range' : 'name';
  if (isIP(address) === 0) {
    // Through a jump, names are resolved at the site (DNS over a tunnel), never by sshd.
    const { finding, addresses } = await probeDns(address, {
      resolve: connector.resolve ?? deps.resolve ?? resolveWithSystem,
      signal: deadline(timeouts.dns),
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
  const spec: ProbeTarget = {
    host: address,
    port: target.port,
    ...(address !== target.name && { displayName: target.name }),
  };
  const tls = deps.config.probes.tls;
  await runBattery(
    spec,
    target.probes.filter((kind): kind is NetworkProbe => kind !== 'dns' && kind !== 'jump'),
    {
      connector,
      timeouts: {
        tcp: budget(timeouts.tcp),
        rdp: budget(timeouts.rdp),
        tls: budget(timeouts.tls),
        ntlm: budget(timeouts.ntlm),
        gateway: budget(timeouts.gateway),
      },
      startedAt,
      signal,
      emit,
      onJumpFailure: jumpFailed,
      ...(tls?.caFile && { extraCa: await readCaFile(tls.caFile) }),
      ...(tls && { expiringSoonDays: tls.expiringSoonDays }),
      now,
    },
  );
}

/** A jump-level failure as one Finding (`probe: 'jump'`, target = the jump's name). */
export function jumpFinding(jump: string, failure: ConnectFailure, ms: number): Finding {
  return {
    probe: 'jump',
    target: jump,
    status: 'fail',
    code: failure.jumpCode ?? 'JUMP_UNREACHABLE',
    summary: failure.message,
    detail: { jump },
    ms,
  };
}

const caFiles = new Map<string, Promise<string[]>>();

/** The configured extra CA bundle, read once per path. A missing file is a config error. */
function readCaFile(path: string): Promise<string[]> {
  let pems = caFiles.get(path);
  if (!pems) {
    pems = readFile(path, 'utf8').then(
      (text) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [],
      (error: unknown) => {
        caFiles.delete(path);
        throw new TriageError('CONFIG_INVALID', `probes.tls.caFile: cannot read ${path}`, { cause: error });
      },
    );
    caFiles.set(path, pems);
  }
  return pems;
}
