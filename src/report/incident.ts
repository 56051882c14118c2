/**
 * An incident (issue 19): many reports of one outage, grouped by target and cause. A data type
 * every layer may read (the tracker keeps them, renderers draw the helpdesk post, the CLI lists
 * them), so it lives with the other report types.
 */
export const INCIDENT_STATES = ['open', 'mitigated', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface Incident {
  /** `INC-12`: stable, the row's number. */
  id: string;
  target: string;
  cause: string;
  state: IncidentState;
  /** ISO 8601 times of the first and the latest report. */
  firstSeen: string;
  lastSeen: string;
  /** The failing finding's line, for the title. */
  summary: string;
  /** What a re-probe asks again: the finding's `host:port` and its probe. */
  probed: string;
  probe: string;
  /** How many different users reported it. */
  reports: number;
  /** `platform:user` of each reporter, in report order. */
  reporters: string[];
  /** `warning`: nothing is broken yet (a certificate about to expire); absent: an outage. */
  severity?: 'warning';
  /** `platform:user` of the helpdesk agent who acknowledged it, while it is mitigated. */
  acknowledgedBy?: string;
  /** ISO 8601 time it was resolved, once it is. */
  resolvedAt?: string;
}

/** What a helpdesk agent can do to an incident (buttons on the helpdesk post, or the CLI). */
export const INCIDENT_ACTIONS = ['acknowledge', 'resolve', 'reopen'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** Who changed an incident: a platform user, a monitor, or the re-probe (`rdp-triage:recheck`). */
export interface Actor {
  platform: string;
  user: string;
}

/** One state change, as the audit keeps it. */
export interface IncidentEvent {
  at: string;
  event: 'opened' | 'acknowledged' | 'resolved' | 'reopened';
  /** `platform:user` of who did it. */
  by: string;
}

/** `INC-12` → 12; anything else → NaN, which matches no stored row. */
export function incidentNumber(id: string): number {
  return /^INC-\d+$/.test(id) ? Number(id.slice(4)) : Number.NaN;
}

/** `2026-12-07 08:02 UTC`: how every surface writes an incident's times. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** The buttons an incident's helpdesk post offers in each state. */
export function actionsFor(state: IncidentState): IncidentAction[] {
  if (state === 'open') return ['acknowledge', 'resolve'];
  if (state === 'mitigated') return ['resolve', 'reopen'];
  return ['reopen'];
}

/** The button labels every surface shows. */
export const ACTION_LABELS: Record<IncidentAction, string> = {
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  reopen: 'Reopen',
};
