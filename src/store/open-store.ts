import type { StoreConfig } from '../config/store-schema.js';
import { type AuditLog, createAuditLog } from './audit-log.js';
import type { FeedbackStore } from './feedback-store.js';
import { openDatabase } from './sqlite.js';
import { createSqliteFeedbackStore } from './sqlite-feedback-store.js';

export interface Store {
  audit: AuditLog;
  feedback: FeedbackStore;
  close(): void;
}

/** Opens the configured SQLite store (audit log + feedback votes), pruning old rows once at start. */
export function openStore(
  config: StoreConfig & { path: string },
  { now = Date.now }: { now?: () => number } = {},
): Store {
  const db = openDatabase(config.path);
  const audit = createAuditLog(db, {
    retentionDays: config.retentionDays,
    feedbackRetentionDays: config.feedbackRetentionDays,
    now,
  });
  audit.prune();
  return { audit, feedback: createSqliteFeedbackStore(db, { now }), close: () => db.close() };
}
