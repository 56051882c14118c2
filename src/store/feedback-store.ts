import type { FeedbackStats } from '../report/ranked-fix.js';

export interface FeedbackVote {
  /** Triage the vote belongs to (report id / message ts). */
  triageId: string;
  fixId: string;
  /** Normalised codes of the triage (`0x904`), so statistics are per code. */
  codes: string[];
  helped: boolean;
  user: string;
  platform: string;
  at: string;
}

/** Where feedback votes go and where ranking reads statistics from. */
export interface FeedbackStore {
  record(vote: FeedbackVote): Promise<void>;
  stats(): Promise<FeedbackStats>;
}

/** In-process store: the embedded default until the SQLite store is configured. */
export function createMemoryFeedbackStore(): FeedbackStore {
  // One vote per user, triage and fix: a second click replaces the first.
  const votes = new Map<string, FeedbackVote>();
  return {
    async record(vote) {
      votes.set(`${vote.platform}\u0000${vote.user}\u0000${vote.triageId}\u0000${vote.fixId}`, vote);
    },
    async stats() {
      const stats: FeedbackStats = {};
      for (const vote of votes.values()) {
        for (const code of vote.codes.length > 0 ? vote.codes : ['*']) {
          const perCode = stats[code] ?? {};
          const counts = perCode[vote.fixId] ?? { helped: 0, notHelped: 0 };
          if (vote.helped) counts.helped += 1;
          else counts.notHelped += 1;
          perCode[vote.fixId] = counts;
          stats[code] = perCode;
        }
      }
      return stats;
    },
  };
}
