import type { Finding } from '../report/finding.js';
import type { Report } from '../report/report.js';

/** One thing a report says is broken: a target (host, gateway or jump) and why (the finding code). */
export interface FailingCause {
  /** The host, gateway or jump, lower case, without the port: reports on :3389 and :3390 are one outage. */
  target: string;
  /** The finding's code: TCP_TIMEOUT, DNS_NXDOMAIN, TLS_CERT_EXPIRED, RDP_NEG_FAILURE_…, JUMP_… */
  cause: string;
  /** The finding's one line, for the incident's title. */
  summary: string;
  /** The finding's own target (`host:port`) and probe: what a re-probe asks again. */
  probed: string;
  probe: Finding['probe'];
}

/** What counts as broken: a failure or a deadline. A warning, a skip or a refusal is no outage. */
const BROKEN: ReadonlySet<Finding['status']> = new Set(['fail', 'timeout']);

/**
 * Warnings a monitor raises an incident for although nothing is broken yet: a certificate about
 * to expire (probes.tls.expiringSoonDays) is an outage on a known date.
 */
export const MONITOR_WARNINGS: ReadonlySet<string> = new Set(['TLS_CERT_EXPIRING_SOON']);

/** The failing causes of one report, each once; `warnings` adds those warning codes. Pure. */
export function failingCauses(
  report: Pick<Report, 'findings'>,
  { warnings = new Set<string>() }: { warnings?: ReadonlySet<string> } = {},
): FailingCause[] {
  const seen = new Map<string, FailingCause>();
  for (const finding of report.findings) {
    const warned = finding.status === 'warn' && warnings.has(finding.code);
    if (!BROKEN.has(finding.status) && !warned) continue;
    const target = hostOf(finding.target);
    const key = `${target}\u0000${finding.code}`;
    if (!seen.has(key))
      seen.set(key, {
        target,
        cause: finding.code,
        summary: finding.summary,
        probed: finding.target,
        probe: finding.probe,
      });
  }
  return [...seen.values()];
}

/** `srv-fin-02:3389` → `srv-fin-02`, `[fd00::5]:3389` → `fd00::5`, a bare IPv6 address as it is. */
export function hostOf(target: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracketed) return (bracketed[1] ?? target).toLowerCase();
  const parts = target.split(':');
  return (parts.length === 2 ? (parts[0] ?? target) : target).toLowerCase();
}
