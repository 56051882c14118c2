import type { Finding } from './finding.js';
import type { Diagnostic, RankedFix } from './ranked-fix.js';
import type { Understanding } from './understanding.js';

/** A target that was named but not probed, and why (not allowed, did not parse, over a limit). */
export interface Refusal {
  target: string;
  reason: string;
}

/** Everything one triage produced. Plain, serialisable data: this is the `--json` output. */
export interface Report {
  understanding: Understanding;
  findings: Finding[];
  fixes: RankedFix[];
  /** Read-only first checks (test the port, resolve the name, the listener, the service), host filled in. */
  diagnostics?: Diagnostic[];
  refusals: Refusal[];
  /** ISO 8601 time the triage started. */
  startedAt: string;
  /** Wall time of the whole triage in milliseconds. */
  ms: number;
}
