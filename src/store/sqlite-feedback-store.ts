import type { FeedbackStats } from '../report/ranked-fix.js';
import type { FeedbackStore } from './feedback-store.js';
import type { SqliteDatabase } from './sqlite.js';

/** Feedback votes in SQLite; the same semantics as the memory store (a second click replaces the first). */
export function createSqliteFeedbackStore(
  db: SqliteDatabase,
  { now = Date.now }: { now?: () => number } = {},
): FeedbackStore {
  const upsert = db.prepare(
    `INSERT INTO feedback (at_ms, platform, user, triage_id, fix_id, codes, helped)
     VALUES (@at, @platform, @user, @triageId, @fixId, @codes, @helped)
     ON CONFLICT (platform, user, triage_id, fix_id)
     DO UPDATE SET at_ms = excluded.at_ms, codes = excluded.codes, helped = excluded.helped`,
  );
  // A vote without codes counts under '*', like the memory store.
  const aggregate = db.prepare(
    `SELECT coalesce(c.value, '*') AS code, f.fix_id AS fixId,
            sum(f.helped) AS helped, sum(1 - f.helped) AS notHelped
     FROM feedback f LEFT JOIN json_each(f.codes) c
     GROUP BY code, f.fix_id`,
  );
  return {
    async record(vote) {
      const at = Date.parse(vote.at);
      upsert.run({
        at: Number.isNaN(at) ? now() : at,
        platform: vote.platform,
        user: vote.user,
        triageId: vote.triageId,
        fixId: vote.fixId,
        codes: JSON.stringify(vote.codes),
        helped: vote.helped ? 1 : 0,
      });
    },
    async stats() {
      const stats: FeedbackStats = {};
      for (const row of aggregate.all() as {
        code: string;
        fixId: string;
        helped: number;
        notHelped: number;
      }[]) {
        stats[row.code] = {
          ...stats[row.code],
          [row.fixId]: { helped: row.helped, notHelped: row.notHelped },
        };
      }
      return stats;
    },
  };
}
