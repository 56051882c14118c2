import { createHash } from 'node:crypto';
import { redact } from '../redact/redact.js';
import type { SqliteDatabase } from './sqlite.js';

/** Who asked what, where: one row per message the bot answered. Text is stored redacted only. */
export interface AuditRequest {
  platform: string;
  user: string;
  channel: string;
  thread?: string | undefined;
  messageId: string;
  /** The message as received; only its redacted form and a hash of that are stored. */
  text: string;
  intent: string;
  codes: string[];
  hosts: string[];
}

export interface AuditProbe {
  /** Host name as planned (user's name or inventory name). */
  host: string;
  /** `host` or `host:port` as probed. */
  target: string;
  probe: string;
  jump: string | null;
  status: string;
  code: string;
  summary: string;
  ms: number;
}

export type AuditOutcome = 'answered' | 'probed' | 'refused' | 'rate-limited' | 'failed';

export interface AuditFilter {
  user?: string;
  host?: string;
  /** Only events at or after this time (ms since epoch). */
  sinceMs?: number;
  limit?: number;
}

export type AuditEvent =
  | {
      kind: 'request';
      id: number;
      at: string;
      platform: string;
      user: string;
      channel: string;
      thread: string | null;
      messageId: string;
      textSha256: string;
      text: string;
      intent: string;
      codes: string[];
      hosts: string[];
      outcome: string;
      error: string | null;
      probes: Omit<AuditProbe, 'summary'>[];
      refusals: { target: string; reason: string }[];
    }
  | {
      kind: 'feedback';
      id: number;
      at: string;
      platform: string;
      user: string;
      triageId: string;
      fixId: string;
      codes: string[];
      helped: boolean;
    };

export interface AuditLog {
  /** Records a request at once (before any probe), so even a crash mid-triage leaves a trace. */
  recordRequest(request: AuditRequest): number;
  /** Records what the triage did: probes, refusals and the outcome, in one transaction. */
  recordOutcome(
    requestId: number,
    outcome: {
      outcome: AuditOutcome;
      probes?: AuditProbe[];
      refusals?: { target: string; reason: string }[];
      error?: string;
    },
  ): void;
  query(filter?: AuditFilter): AuditEvent[];
  /** Deletes rows older than the retention; returns how many requests and votes went. */
  prune(): { requests: number; feedback: number };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export function createAuditLog(
  db: SqliteDatabase,
  {
    retentionDays = 90,
    feedbackRetentionDays = 365,
    now = Date.now,
  }: { retentionDays?: number; feedbackRetentionDays?: number; now?: () => number } = {},
): AuditLog {
  const insertRequest = db.prepare(
    `INSERT INTO requests (at_ms, platform, user, channel, thread, message_id, text_sha256, text_redacted, intent, codes, hosts)
     VALUES (@at, @platform, @user, @channel, @thread, @messageId, @sha, @text, @intent, @codes, @hosts)`,
  );
  const insertProbe = db.prepare(
    `INSERT INTO probes (request_id, at_ms, host, target, probe, jump, status, code, summary, ms)
     VALUES (@requestId, @at, @host, @target, @probe, @jump, @status, @code, @summary, @ms)`,
  );
  const insertRefusal = db.prepare(
    'INSERT INTO refusals (request_id, at_ms, target, reason) VALUES (@requestId, @at, @target, @reason)',
  );
  const updateOutcome = db.prepare('UPDATE requests SET outcome = @outcome, error = @error WHERE id = @id');
  const writeOutcome = db.transaction(
    (
      requestId: number,
      outcome: AuditOutcome,
      probes: AuditProbe[],
      refusals: { target: string; reason: string }[],
      error: string | null,
    ) => {
      const at = now();
      for (const probe of probes)
        insertProbe.run({
          ...probe,
          requestId,
          at,
          host: clip(probe.host),
          target: clip(probe.target),
          summary: clip(redact(probe.summary)),
          ms: Math.round(probe.ms),
        });
      for (const refusal of refusals)
        insertRefusal.run({
          requestId,
          at,
          target: clip(redact(refusal.target)),
          reason: clip(redact(refusal.reason)),
        });
      updateOutcome.run({ id: requestId, outcome, error });
    },
  );
  let lastPrune = Number.NEGATIVE_INFINITY;

  const prune = () => {
    const at = now();
    lastPrune = at;
    const requests = db
      .prepare('DELETE FROM requests WHERE at_ms < ?')
      .run(at - retentionDays * DAY_MS).changes;
    const feedback = db
      .prepare('DELETE FROM feedback WHERE at_ms < ?')
      .run(at - feedbackRetentionDays * DAY_MS).changes;
    return { requests, feedback };
  };
  // Retention runs on the write path at most once an hour: no timer to keep the process alive.
  const pruneHourly = () => {
    if (now() - lastPrune >= HOUR_MS) prune();
  };

  return {
    prune,
    recordRequest(request) {
      pruneHourly();
      const text = redact(request.text);
      const result = insertRequest.run({
        at: now(),
        platform: clip(request.platform),
        user: clip(request.user),
        channel: clip(request.channel),
        thread: request.thread === undefined ? null : clip(request.thread),
        messageId: clip(request.messageId),
        sha: createHash('sha256').update(text).digest('hex'),
        text: text.slice(0, 4000),
        intent: request.intent,
        codes: JSON.stringify(request.codes.slice(0, 50)),
        hosts: JSON.stringify(request.hosts.slice(0, 50).map((host) => clip(host))),
      });
      return Number(result.lastInsertRowid);
    },
    recordOutcome(requestId, { outcome, probes = [], refusals = [], error }) {
      writeOutcome(requestId, outcome, probes, refusals, error === undefined ? null : clip(redact(error)));
    },
    query: (filter = {}) => queryAudit(db, filter),
  };
}

/** Requests and feedback votes matching the filter, newest first. */
function queryAudit(db: SqliteDatabase, { user, host, sinceMs, limit = 1000 }: AuditFilter): AuditEvent[] {
  const since = sinceMs ?? 0;
  const requestRows = db
    .prepare(
      `SELECT * FROM requests r
       WHERE r.at_ms >= @since
         AND (@user IS NULL OR r.user = @user)
         AND (@host IS NULL
              OR EXISTS (SELECT 1 FROM json_each(r.hosts) h WHERE lower(h.value) = lower(@host))
              OR EXISTS (SELECT 1 FROM probes p WHERE p.request_id = r.id AND lower(p.host) = lower(@host))
              OR EXISTS (SELECT 1 FROM refusals f WHERE f.request_id = r.id AND lower(f.target) = lower(@host)))
       ORDER BY r.at_ms DESC, r.id DESC LIMIT @limit`,
    )
    .all({ since, user: user ?? null, host: host ?? null, limit }) as RequestRow[];
  const probesOf = db.prepare(
    'SELECT host, target, probe, jump, status, code, ms FROM probes WHERE request_id = ? ORDER BY id',
  );
  const refusalsOf = db.prepare('SELECT target, reason FROM refusals WHERE request_id = ? ORDER BY id');
  const events: AuditEvent[] = requestRows.map((row) => ({
    kind: 'request',
    id: row.id,
    at: new Date(row.at_ms).toISOString(),
    platform: row.platform,
    user: row.user,
    channel: row.channel,
    thread: row.thread,
    messageId: row.message_id,
    textSha256: row.text_sha256,
    text: row.text_redacted,
    intent: row.intent,
    codes: JSON.parse(row.codes) as string[],
    hosts: JSON.parse(row.hosts) as string[],
    outcome: row.outcome,
    error: row.error,
    probes: probesOf.all(row.id) as Omit<AuditProbe, 'summary'>[],
    refusals: refusalsOf.all(row.id) as { target: string; reason: string }[],
  }));
  // Votes are about fixes, not hosts: a host filter leaves them out.
  if (host === undefined) {
    const votes = db
      .prepare(
        `SELECT * FROM feedback WHERE at_ms >= @since AND (@user IS NULL OR user = @user)
         ORDER BY at_ms DESC, id DESC LIMIT @limit`,
      )
      .all({ since, user: user ?? null, limit }) as FeedbackRow[];
    for (const vote of votes)
      events.push({
        kind: 'feedback',
        id: vote.id,
        at: new Date(vote.at_ms).toISOString(),
        platform: vote.platform,
        user: vote.user,
        triageId: vote.triage_id,
        fixId: vote.fix_id,
        codes: JSON.parse(vote.codes) as string[],
        helped: vote.helped === 1,
      });
  }
  return events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

interface RequestRow {
  id: number;
  at_ms: number;
  platform: string;
  user: string;
  channel: string;
  thread: string | null;
  message_id: string;
  text_sha256: string;
  text_redacted: string;
  intent: string;
  codes: string;
  hosts: string;
  outcome: string;
  error: string | null;
}

export interface FeedbackRow {
  id: number;
  at_ms: number;
  platform: string;
  user: string;
  triage_id: string;
  fix_id: string;
  codes: string;
  helped: number;
}

/** Every stored field is bounded: a 10 KB "host name" is kept as a prefix. */
function clip(value: string, max = 512): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
