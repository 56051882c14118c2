import type { Incident } from '../report/incident.js';

/** What a re-probe of an open incident found (src/app/monitor.ts `MonitorChange.change`). */
export type RecheckOutcome = 'failing' | 'green' | 'resolved' | 'no-evidence';

/** When an open incident is re-probed next, and how many re-probes in a row found it still broken. */
export interface RecheckState {
  failing: number;
  dueAt: number;
}

/** The wait never grows past this many base intervals (300 s base: 40 minutes). */
export const MAX_BACKOFF_FACTOR = 8;

/**
 * The next re-probe of an open incident (issue 19: "re-probed on a schedule with backoff"). Still
 * failing (or no evidence: refused, unreachable from here) waits twice as long each time, up to
 * MAX_BACKOFF_FACTOR × base: a long outage is not probed every interval for hours. One green probe
 * comes back after one base interval, since the second green in a row is what resolves it.
 */
export function nextRecheck(
  previous: RecheckState | undefined,
  outcome: Exclude<RecheckOutcome, 'resolved'>,
  at: number,
  baseMs: number,
): RecheckState {
  if (outcome === 'green') return { failing: 0, dueAt: at + baseMs };
  const failing = (previous?.failing ?? 0) + 1;
  const factor = Math.min(MAX_BACKOFF_FACTOR, 2 ** (failing - 1));
  return { failing, dueAt: at + baseMs * factor };
}

/** Whether an incident with this plan (none yet: a new incident) is due for a re-probe at `at`. */
export function isDue(state: RecheckState | undefined, at: number): boolean {
  return state === undefined || at >= state.dueAt;
}

/**
 * The re-probe plan of the open incidents: in memory for one process (below), in Redis for
 * replicas (src/ops/redis/redis-recheck-backoff.ts).
 */
export interface RecheckBackoff {
  /** The open incidents whose re-probe is due at `at` (a new incident is due at once). */
  due(open: readonly Incident[], at: number): Promise<Incident[]>;
  /** Records what the re-probes found; incidents no longer open are forgotten. */
  record(
    results: readonly { id: string; outcome: RecheckOutcome }[],
    open: readonly Incident[],
    at: number,
  ): Promise<void>;
}

export function createRecheckBackoff(baseMs: number): RecheckBackoff {
  const states = new Map<string, RecheckState>();
  return {
    due: async (open, at) => open.filter((incident) => isDue(states.get(incident.id), at)),
    async record(results, open, at) {
      const stillOpen = new Set(open.map((incident) => incident.id));
      for (const id of states.keys()) if (!stillOpen.has(id)) states.delete(id);
      for (const { id, outcome } of results) {
        if (outcome === 'resolved') states.delete(id);
        else states.set(id, nextRecheck(states.get(id), outcome, at, baseMs));
      }
    },
  };
}
