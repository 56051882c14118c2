import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TriageError } from '../errors.js';

export type SqliteDatabase = Database.Database;

// Each entry migrates from user_version = index to index + 1, in one transaction.
const MIGRATIONS: string[] = [
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    message_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    text_redacted TEXT NOT NULL,
    intent TEXT NOT NULL,
    codes TEXT NOT NULL,
    hosts TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'received',
    error TEXT
  );
  CREATE INDEX requests_at ON requests (at_ms);
  CREATE INDEX requests_user ON requests (user, at_ms);
  CREATE TABLE probes (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    host TEXT NOT NULL,
    target TEXT NOT NULL,
    probe TEXT NOT NULL,
    jump TEXT,
    status TEXT NOT NULL,
    code TEXT NOT NULL,
    summary TEXT NOT NULL,
    ms INTEGER NOT NULL
  );
  CREATE INDEX probes_request ON probes (request_id);
  CREATE INDEX probes_host ON probes (host);
  CREATE TABLE refusals (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    target TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX refusals_request ON refusals (request_id);
  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    triage_id TEXT NOT NULL,
    fix_id TEXT NOT NULL,
    codes TEXT NOT NULL,
    helped INTEGER NOT NULL,
    UNIQUE (platform, user, triage_id, fix_id)
  );
  CREATE INDEX feedback_at ON feedback (at_ms);
  `,
  // One row rewritten by the readiness check: a real committed write, so /readyz sees a full
  // disk, a read-only volume or a lock held elsewhere before the audit log does.
  `
  CREATE TABLE store_health (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL);
  `,
  // Incidents (issue 19): one row per outage; each user who reported it once; reports of a
  // target and cause that has no incident yet wait in incident_candidates until the threshold.
  `
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    cause TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'mitigated', 'resolved')),
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    summary TEXT NOT NULL,
    -- The finding's own target (host:port) and probe, so a re-probe asks the same thing.
    probed TEXT NOT NULL,
    probe TEXT NOT NULL,
    resolved_ms INTEGER,
    -- Re-probes in a row that no longer showed the failing finding; two resolve the incident.
    green_probes INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX incidents_target ON incidents (target, cause, state);
  CREATE TABLE incident_reports (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    at_ms INTEGER NOT NULL,
    UNIQUE (incident_id, platform, user)
  );
  CREATE TABLE incident_candidates (
    target TEXT NOT NULL,
    cause TEXT NOT NULL,
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    at_ms INTEGER NOT NULL,
    UNIQUE (target, cause, platform, user)
  );
  -- A monitor's failures in a row per target and cause: two open (or join) an incident.
  CREATE TABLE monitor_streaks (
    monitor TEXT NOT NULL,
    target TEXT NOT NULL,
    cause TEXT NOT NULL,
    streak INTEGER NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (monitor, target, cause)
  );
  `,
  // Incident state changes, who made them (a helpdesk agent's button, a monitor, the re-probe),
  // and the one helpdesk post per incident and platform that is edited as reports attach.
  `
  CREATE TABLE incident_events (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at_ms INTEGER NOT NULL,
    event TEXT NOT NULL,
    by_platform TEXT NOT NULL,
    by_user TEXT NOT NULL
  );
  CREATE INDEX incident_events_incident ON incident_events (incident_id, at_ms);
  CREATE TABLE incident_posts (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    message_ref TEXT NOT NULL,
    PRIMARY KEY (incident_id, platform)
  );
  -- Where the bot's reply to a reporter is (Surface.messageRef): Teams needs its conversation to
  -- tell the reporter that the incident is resolved.
  ALTER TABLE incident_reports ADD COLUMN message_ref TEXT;
  ALTER TABLE incident_candidates ADD COLUMN message_ref TEXT;
  `,
  // Where a surface can write later (Teams conversation references: ids and the service URL),
  // learned from activities, kept across restarts and shared with `monitor --once`
  // (src/store/conversation-store.ts); the newest per platform are kept.
  `
  CREATE TABLE conversation_refs (
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    reference TEXT NOT NULL,
    seen_ms INTEGER NOT NULL,
    PRIMARY KEY (platform, key)
  );
  CREATE INDEX conversation_refs_seen ON conversation_refs (platform, seen_ms);
  `,
];

/**
 * Opens (creating if needed) the SQLite file in WAL mode. `durability: 'crash'` (synchronous=NORMAL,
 * the default): a committed transaction survives `kill -9` and a crash of the process; a power loss
 * may roll back the last ones. `'power-loss'` (synchronous=FULL): it survives that too, at one
 * fsync per commit. Either way a torn write is rolled back on the next open, never corrupts.
 */
export function openDatabase(
  path: string,
  {
    readonly = false,
    durability = 'crash',
  }: { readonly?: boolean; durability?: 'crash' | 'power-loss' } = {},
): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    if (!readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw new TriageError('STORE_UNAVAILABLE', `Cannot open the store ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  db.pragma('busy_timeout = 5000');
  if (readonly) return db;
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'power-loss' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * Brings the schema up to date in one write transaction. The version is read inside it, after the
 * write lock is held: two processes opening a new file at once (replicas starting together) queue
 * on the lock, and the second finds the schema already current instead of creating it again.
 */
function migrate(db: SqliteDatabase): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length)
      throw new TriageError(
        'STORE_UNAVAILABLE',
        `The store was written by a newer rdp-triage (schema ${version}, this one knows ${MIGRATIONS.length})`,
      );
    for (let next = version; next < MIGRATIONS.length; next += 1) db.exec(MIGRATIONS[next] ?? '');
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
