/** One probe's result. Expected network outcomes are values, never exceptions. */

export const PROBE_KINDS = ['dns', 'tcp', 'rdp', 'tls', 'ntlm', 'gateway', 'jump'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export const FINDING_STATUSES = ['ok', 'warn', 'fail', 'timeout', 'skipped', 'refused'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export interface Finding {
  probe: ProbeKind;
  /** `host` or `host:port` as probed. */
  target: string;
  status: FindingStatus;
  /**
   * Stable machine-readable outcome, e.g. `TCP_OPEN`, `TCP_REFUSED`, `TCP_TIMEOUT`,
   * `RDP_NEG_HYBRID`, `RDP_NEG_FAILURE_HYBRID_REQUIRED`, `DNS_NXDOMAIN`, `TLS_CERT_EXPIRED`.
   * Ranking keys on these.
   */
  code: string;
  /** One line a helpdesk agent can read. */
  summary: string;
  /** Structured extras (addresses, selected protocol, certificate fields). */
  detail?: Record<string, unknown>;
  /** Wall time of the probe in milliseconds. */
  ms: number;
}
