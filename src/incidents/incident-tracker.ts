import type { IncidentsConfig } from '../config/incidents-schema.js';
import {
  type Actor,
  type Incident,
  type IncidentAction,
  type IncidentEvent,
  type IncidentState,
  incidentNumber,
} from '../report/incident.js';
import type { Report } from '../report/report.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { CERT_EXPIRING, type FailingCause, failingCauses } from './failing-causes.js';

/** Who reported: platform user ids and where they wrote, never what they wrote. */
export interface Reporter {
  platform: string;
  user: string;
  channel: string;
  thread?: string;
  /** The bot's reply to them (`Surface.messageRef`), where the surface needs it to write there again. */
  messageRef?: string;
}

/** What one report did to an incident: opened it, or joined it as report number `position`. */
export interface IncidentNotice {
  incident: Incident;
  position: number;
  opened: boolean;
  /** This user had already reported it: counted once, keeps their first position. */
  repeat: boolean;
}

/** What a re-probe of an open incident found. */
export interface Recheck {
  incident: Incident;
  /** `failing`: still broken; `green`: not seen this time (one more green probe resolves it); `resolved`. */
  outcome: 'failing' | 'green' | 'resolved';
}

export interface IncidentTracker {
  /**
   * Groups one triage's failing findings into incidents: one atomic step per cause (a SQLite
   * transaction, a Redis script), so two replicas attaching reports of one outage make one incident.
   */
  observe(report: Pick<Report, 'findings'>, reporter: Reporter): Promise<IncidentNotice[]>;
  /**
   * A monitor's probe of its target: a cause failing twice in a row opens the incident (or joins
   * the open one) with the monitor as its reporter; a cause no longer failing starts over.
   */
  observeMonitor(report: Pick<Report, 'findings'>, monitor: string): Promise<IncidentNotice[]>;
  /**
   * A re-probe of an open incident's target: two probes in a row without its failing finding
   * resolve it. `report` must hold findings on the target (a refused or skipped probe is no evidence).
   */
  recheck(id: string, report: Pick<Report, 'findings'>): Promise<Recheck | null>;
  /** Who reported an incident and where (to tell them when it is resolved), in report order. */
  reportersOf(id: string): Promise<Reporter[]>;
  /** The open and mitigated incidents, newest first; `all` adds the resolved ones. */
  list(options?: { all?: boolean }): Promise<Incident[]>;
  /** One incident by id (`INC-3`), or null. */
  get(id: string): Promise<Incident | null>;
  /**
   * A helpdesk agent's action: acknowledge (open → mitigated), resolve (open or mitigated →
   * resolved), reopen (mitigated or resolved → open). `changed` is false when the incident was
   * already in that state; null when there is no such incident. Every change is audited.
   */
  act(
    id: string,
    action: IncidentAction,
    by: Actor,
  ): Promise<{ incident: Incident; changed: boolean } | null>;
  /** An incident's state changes, oldest first: who opened, acknowledged, resolved or reopened it. */
  history(id: string): Promise<IncidentEvent[]>;
}

/** The actor of a resolution by re-probe. */
export const RECHECK_ACTOR: Actor = { platform: 'rdp-triage', user: 'recheck' };

/** A reporter as stored: SQLite's nulls for what is absent. */
type StoredReporter = Omit<Reporter, 'thread' | 'messageRef'> & {
  thread: string | null;
  message_ref: string | null;
};

/** A monitor's failures in a row before it opens an incident: one lost packet is no outage. */
const MONITOR_FAILURES_TO_OPEN = 2;
/** Re-probes in a row without the failing finding before an incident resolves. */
const GREEN_PROBES_TO_RESOLVE = 2;

interface IncidentRow {
  id: number;
  target: string;
  cause: string;
  state: IncidentState;
  first_seen_ms: number;
  last_seen_ms: number;
  summary: string;
  probed: string;
  probe: string;
  resolved_ms?: number | null;
}

/**
 * Many reports of one outage become one incident. A failing finding (a failure or a deadline, see
 * failing-causes.ts) on a target with one cause is a candidate; once `openAfterReports` different
 * users reported it within `windowMinutes`, an incident opens with all of them attached, and every
 * later report of that target and cause attaches to it until it is resolved. A user's repeated
 * reports count once. Everything is in the SQLite store, so it survives a restart and `kill -9`.
 */
export function createIncidentTracker(
  db: SqliteDatabase,
  config: IncidentsConfig,
  { now = Date.now }: { now?: () => number } = {},
): IncidentTracker {
  const windowMs = config.windowMinutes * 60_000;
  const q = {
    open: db.prepare<[string, string], IncidentRow>(
      "SELECT * FROM incidents WHERE target = ? AND cause = ? AND state != 'resolved' ORDER BY id DESC LIMIT 1",
    ),
    attach: db.prepare(
      'INSERT OR IGNORE INTO incident_reports (incident_id, platform, user, channel, thread, at_ms, message_ref) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    seen: db.prepare('UPDATE incidents SET last_seen_ms = ? WHERE id = ?'),
    reporters: db.prepare<[number], { platform: string; user: string }>(
      'SELECT platform, user FROM incident_reports WHERE incident_id = ? ORDER BY at_ms, rowid',
    ),
    expire: db.prepare('DELETE FROM incident_candidates WHERE target = ? AND cause = ? AND at_ms < ?'),
    candidate: db.prepare(
      `INSERT INTO incident_candidates (target, cause, platform, user, channel, thread, at_ms, message_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (target, cause, platform, user) DO UPDATE SET at_ms = excluded.at_ms, channel = excluded.channel, thread = excluded.thread, message_ref = excluded.message_ref`,
    ),
    candidates: db.prepare<[string, string], StoredReporter & { at_ms: number }>(
      'SELECT platform, user, channel, thread, message_ref, at_ms FROM incident_candidates WHERE target = ? AND cause = ? ORDER BY at_ms, rowid',
    ),
    clear: db.prepare('DELETE FROM incident_candidates WHERE target = ? AND cause = ?'),
    create: db.prepare(
      "INSERT INTO incidents (target, cause, state, first_seen_ms, last_seen_ms, summary, probed, probe) VALUES (?, ?, 'open', ?, ?, ?, ?, ?)",
    ),
    streak: db.prepare(
      `INSERT INTO monitor_streaks (monitor, target, cause, streak, summary) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (monitor, target, cause) DO UPDATE SET streak = streak + 1, summary = excluded.summary
       RETURNING streak`,
    ),
    monitorCauses: db.prepare<[string], { target: string; cause: string }>(
      'SELECT target, cause FROM monitor_streaks WHERE monitor = ?',
    ),
    forget: db.prepare('DELETE FROM monitor_streaks WHERE monitor = ? AND target = ? AND cause = ?'),
    byId: db.prepare<[number], IncidentRow & { green_probes: number }>(
      'SELECT * FROM incidents WHERE id = ?',
    ),
    green: db.prepare('UPDATE incidents SET green_probes = ? WHERE id = ?'),
    resolve: db.prepare(
      "UPDATE incidents SET state = 'resolved', resolved_ms = ?, green_probes = ? WHERE id = ?",
    ),
    where: db.prepare<[number], StoredReporter>(
      'SELECT platform, user, channel, thread, message_ref FROM incident_reports WHERE incident_id = ? ORDER BY at_ms, rowid',
    ),
    listOpen: db.prepare<[], IncidentRow>(
      "SELECT * FROM incidents WHERE state != 'resolved' ORDER BY id DESC",
    ),
    listAll: db.prepare<[], IncidentRow>('SELECT * FROM incidents ORDER BY id DESC'),
    event: db.prepare(
      'INSERT INTO incident_events (incident_id, at_ms, event, by_platform, by_user) VALUES (?, ?, ?, ?, ?)',
    ),
    events: db.prepare<
      [number],
      { at_ms: number; event: IncidentEvent['event']; by_platform: string; by_user: string }
    >(
      'SELECT at_ms, event, by_platform, by_user FROM incident_events WHERE incident_id = ? ORDER BY at_ms, rowid',
    ),
    acknowledger: db.prepare<[number], { by_platform: string; by_user: string }>(
      "SELECT by_platform, by_user FROM incident_events WHERE incident_id = ? AND event = 'acknowledged' ORDER BY at_ms DESC, rowid DESC LIMIT 1",
    ),
    setState: db.prepare('UPDATE incidents SET state = ?, resolved_ms = ?, green_probes = 0 WHERE id = ?'),
  };
  const audit = (id: number, event: IncidentEvent['event'], by: Actor, at: number) =>
    q.event.run(id, at, event, by.platform, by.user);

  const toIncident = (row: IncidentRow): Incident => {
    const reporters = q.reporters.all(row.id).map(({ platform, user }) => `${platform}:${user}`);
    const acknowledger = row.state === 'mitigated' ? q.acknowledger.get(row.id) : undefined;
    return {
      id: `INC-${row.id}`,
      target: row.target,
      cause: row.cause,
      state: row.state,
      firstSeen: new Date(row.first_seen_ms).toISOString(),
      lastSeen: new Date(row.last_seen_ms).toISOString(),
      summary: row.summary,
      probed: row.probed,
      probe: row.probe,
      reports: reporters.length,
      reporters,
      ...(row.cause === CERT_EXPIRING && { severity: 'warning' as const }),
      ...(acknowledger && { acknowledgedBy: `${acknowledger.by_platform}:${acknowledger.by_user}` }),
      ...(row.state === 'resolved' &&
        typeof row.resolved_ms === 'number' && { resolvedAt: new Date(row.resolved_ms).toISOString() }),
    };
  };
  const positionOf = (incident: Incident, reporter: Reporter) =>
    incident.reporters.indexOf(`${reporter.platform}:${reporter.user}`) + 1;

  const joinOpen = (row: IncidentRow, reporter: Reporter, at: number): IncidentNotice => {
    const { platform, user, channel, thread = null, messageRef = null } = reporter;
    const repeat = q.attach.run(row.id, platform, user, channel, thread, at, messageRef).changes === 0;
    q.seen.run(at, row.id);
    const incident = toIncident({ ...row, last_seen_ms: at });
    return { incident, position: positionOf(incident, reporter), opened: false, repeat };
  };

  const consider = (
    { target, cause, summary, probed, probe }: FailingCause,
    reporter: Reporter,
    at: number,
  ) => {
    const { platform, user, channel, thread = null, messageRef = null } = reporter;
    q.expire.run(target, cause, at - windowMs);
    q.candidate.run(target, cause, platform, user, channel, thread, at, messageRef);
    const waiting = q.candidates.all(target, cause);
    if (waiting.length < config.openAfterReports) return null;
    const first = waiting[0]?.at_ms ?? at;
    const id = Number(q.create.run(target, cause, first, at, summary, probed, probe).lastInsertRowid);
    for (const r of waiting)
      q.attach.run(id, r.platform, r.user, r.channel, r.thread, r.at_ms, r.message_ref);
    audit(id, 'opened', reporter, at);
    q.clear.run(target, cause);
    const incident = toIncident({
      id,
      target,
      cause,
      state: 'open',
      first_seen_ms: first,
      last_seen_ms: at,
      summary,
      probed,
      probe,
    });
    return { incident, position: positionOf(incident, reporter), opened: true, repeat: false };
  };

  const observe = db.transaction((report: Pick<Report, 'findings'>, reporter: Reporter): IncidentNotice[] => {
    if (!config.enabled) return [];
    const at = now();
    return failingCauses(report).flatMap((failing) => {
      const open = q.open.get(failing.target, failing.cause);
      const notice = open ? joinOpen(open, reporter, at) : consider(failing, reporter, at);
      return notice ? [notice] : [];
    });
  });

  const observeMonitor = db.transaction((report: Pick<Report, 'findings'>, monitor: string) => {
    if (!config.enabled) return [];
    const at = now();
    const failing = failingCauses(report, { certificateWarningDays: config.certificateWarningDays });
    const still = new Set(failing.map(({ target, cause }) => `${target}\u0000${cause}`));
    for (const { target, cause } of q.monitorCauses.all(monitor))
      if (!still.has(`${target}\u0000${cause}`)) q.forget.run(monitor, target, cause);
    const reporter: Reporter = { platform: 'monitor', user: monitor, channel: 'monitor' };
    return failing.flatMap(({ target, cause, summary, probed, probe }): IncidentNotice[] => {
      const { streak } = q.streak.get(monitor, target, cause, summary) as { streak: number };
      // A certificate's expiry date is no flaky observation: it warns on the first probe.
      if (streak < MONITOR_FAILURES_TO_OPEN && cause !== CERT_EXPIRING) return [];
      const open = q.open.get(target, cause);
      if (open) return [joinOpen(open, reporter, at)];
      const id = Number(q.create.run(target, cause, at, at, summary, probed, probe).lastInsertRowid);
      q.attach.run(id, 'monitor', monitor, 'monitor', null, at, null);
      audit(id, 'opened', reporter, at);
      const incident = toIncident({
        id,
        target,
        cause,
        state: 'open',
        first_seen_ms: at,
        last_seen_ms: at,
        summary,
        probed,
        probe,
      });
      return [{ incident, position: 1, opened: true, repeat: false }];
    });
  });

  const recheck = db.transaction((id: string, report: Pick<Report, 'findings'>): Recheck | null => {
    const row = q.byId.get(incidentNumber(id));
    if (!row || row.state === 'resolved') return null;
    const failing = failingCauses(report, { certificateWarningDays: config.certificateWarningDays }).some(
      ({ target, cause }) => target === row.target && cause === row.cause,
    );
    if (failing) {
      q.green.run(0, row.id);
      return { incident: toIncident(row), outcome: 'failing' };
    }
    const green = row.green_probes + 1;
    if (green < GREEN_PROBES_TO_RESOLVE) {
      q.green.run(green, row.id);
      return { incident: toIncident(row), outcome: 'green' };
    }
    const at = now();
    q.resolve.run(at, green, row.id);
    audit(row.id, 'resolved', RECHECK_ACTOR, at);
    return { incident: toIncident({ ...row, state: 'resolved', resolved_ms: at }), outcome: 'resolved' };
  });

  const act = db.transaction((id: string, action: IncidentAction, by: Actor) => {
    const row = q.byId.get(incidentNumber(id));
    if (!row) return null;
    const next = NEXT_STATE[action];
    if (!next.from.includes(row.state)) return { incident: toIncident(row), changed: false };
    const at = now();
    q.setState.run(next.to, next.to === 'resolved' ? at : null, row.id);
    audit(row.id, next.event, by, at);
    const resolved_ms = next.to === 'resolved' ? at : null;
    return { incident: toIncident({ ...row, state: next.to, resolved_ms }), changed: true };
  });

  // The store's answers are promises so that SQLite and Redis (src/ops/redis/redis-incident-tracker.ts)
  // stand behind one interface; SQLite's are settled the moment they are made.
  return {
    observe: async (report, reporter) => observe.immediate(report, reporter),
    observeMonitor: async (report, monitor) => observeMonitor.immediate(report, monitor),
    recheck: async (id, report) => recheck.immediate(id, report),
    reportersOf: async (id) =>
      q.where.all(incidentNumber(id)).map(({ thread, message_ref, ...reporter }) => ({
        ...reporter,
        ...(thread !== null && { thread }),
        ...(message_ref !== null && { messageRef: message_ref }),
      })),
    list: async ({ all = false } = {}) => (all ? q.listAll : q.listOpen).all().map(toIncident),
    get: async (id) => {
      const row = q.byId.get(incidentNumber(id));
      return row ? toIncident(row) : null;
    },
    act: async (id, action, by) => act.immediate(id, action, by),
    history: async (id) =>
      q.events.all(incidentNumber(id)).map((row) => ({
        at: new Date(row.at_ms).toISOString(),
        event: row.event,
        by: `${row.by_platform}:${row.by_user}`,
      })),
  };
}

export const NEXT_STATE: Record<
  IncidentAction,
  { from: IncidentState[]; to: IncidentState; event: IncidentEvent['event'] }
> = {
  acknowledge: { from: ['open'], to: 'mitigated', event: 'acknowledged' },
  resolve: { from: ['open', 'mitigated'], to: 'resolved', event: 'resolved' },
  reopen: { from: ['mitigated', 'resolved'], to: 'open', event: 'reopened' },
};

/** The line a reporter sees above their own fixes: the outage is known, and which report theirs is. */
export function describeNotice({ incident, position }: IncidentNotice): string {
  const since = `${incident.firstSeen.slice(11, 16)} UTC`;
  const what = `${incident.target}: ${incident.summary || incident.cause}`;
  return `Known problem ${incident.id} since ${since} (${what}) — yours is report #${position}. The fixes below are what you can check on your side.`;
}
