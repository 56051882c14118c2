import type { StoreConfig } from '../config/store-schema.js';
import { type AuditLog, createAuditLog } from './audit-log.js';
import { type ConversationStore, createSqliteConversationStore } from './conversation-store.js';
import type { FeedbackStore } from './feedback-store.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import { createSqliteFeedbackStore } from './sqlite-feedback-store.js';

export interface Store {
  /** The open SQLite file, for the modules that keep their own tables in it (incidents). */
  database: SqliteDatabase;
  audit: AuditLog;
  feedback: FeedbackStore;
  /** Where the chat surfaces reach conversations they learned (Teams conversation references). */
  conversations: ConversationStore;
  /**
   * Commits one tiny write (for /readyz). Waits at most `waitMs` for a lock another process
   * holds: better-sqlite3 is synchronous, so a long wait would stall the event loop.
   */
  checkWritable(waitMs?: number): { ok: true } | { ok: false; detail: string };
  close(): void;
}

/** Opens the configured SQLite store (audit log, feedback votes, conversation references), pruning old rows once at start. */
export function openStore(
  config: Omit<StoreConfig, 'durability'> & { path: string; durability?: StoreConfig['durability'] },
  { now = Date.now }: { now?: () => number } = {},
): Store {
  const db = openDatabase(config.path, { ...(config.durability && { durability: config.durability }) });
  const audit = createAuditLog(db, {
    retentionDays: config.retentionDays,
    feedbackRetentionDays: config.feedbackRetentionDays,
    now,
  });
  audit.prune();
  const touch = db.prepare('INSERT OR REPLACE INTO store_health (id, at_ms) VALUES (1, ?)');
  return {
    database: db,
    audit,
    feedback: createSqliteFeedbackStore(db, { now }),
    conversations: createSqliteConversationStore(db, { now }),
    checkWritable(waitMs = 250) {
      if (!db.open) return { ok: false, detail: `store ${config.path} is closed` };
      const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(waitMs))}`);
      try {
        touch.run(now());
        return { ok: true };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return {
          ok: false,
          detail: `store ${config.path}: ${typeof code === 'string' ? code : (error as Error).message}`,
        };
      } finally {
        db.pragma(`busy_timeout = ${busyTimeout}`);
      }
    },
    close: () => db.close(),
  };
}
