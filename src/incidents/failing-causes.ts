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

/** The cause of a monitor's warning incident: a certificate that expires within the warning days. */
export const CERT_EXPIRING = 'TLS_CERT_EXPIRING_SOON';

/**
 * The failing causes of one report, each once. Pure. With `certificateWarningDays` (monitors,
 * config incidents.certificateWarningDays), a certificate that expires within that many days is
 * one too (cause CERT_EXPIRING): an outage on a known date, whatever else the finding says and
 * whatever the probe's own probes.tls.expiringSoonDays is.
 */
export function failingCauses(
  report: Pick<Report, 'findings'>,
  { certificateWarningDays }: { certificateWarningDays?: number } = {},
): FailingCause[] {
  const seen = new Map<string, FailingCause>();
  const add = (finding: Finding, cause: string) => {
    const target = hostOf(finding.target);
    const key = `${target}\u0000${cause}`;
    if (!seen.has(key))
      seen.set(key, {
        target,
        cause,
        summary: finding.summary,
        probed: finding.target,
        probe: finding.probe,
      });
  };
  for (const finding of report.findings) {
    if (BROKEN.has(finding.status)) add(finding, finding.code);
    if (certificateWarningDays !== undefined && expiresWithin(finding, certificateWarningDays))
      add(finding, CERT_EXPIRING);
  }
  return [...seen.values()];
}

/** A TLS finding whose certificate (detail.daysToExpiry, src/probes/certificate.ts) is still valid but not for `days` more. */
function expiresWithin(finding: Finding, days: number): boolean {
  const left = finding.detail?.daysToExpiry;
  return finding.probe === 'tls' && typeof left === 'number' && left >= 0 && left <= days;
}

/** `srv-fin-02:3389` → `srv-fin-02`, `[fd00::5]:3389` → `fd00::5`, a bare IPv6 address as it is. */
export function hostOf(target: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracketed) return (bracketed[1] ?? target).toLowerCase();
  const parts = target.split(':');
  return (parts.length === 2 ? (parts[0] ?? target) : target).toLowerCase();
}
