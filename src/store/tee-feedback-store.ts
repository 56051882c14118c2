import type { FeedbackStore } from './feedback-store.js';

/**
 * Records every vote in `primary` (where ranking reads statistics, e.g. Redis shared by replicas)
 * and in `audit` (the SQLite store, so `rdp-triage audit` shows votes too). A failing audit write
 * does not lose the vote in `primary`, and is reported after it.
 */
export function teeFeedbackStore(primary: FeedbackStore, audit: FeedbackStore): FeedbackStore {
  return {
    async record(vote) {
      await primary.record(vote);
      await audit.record(vote);
    },
    stats: () => primary.stats(),
  };
}
