/**
 * Workspace-wide budget for optional message edits. `chat.update` is Tier 3, about 50 per minute
 * per workspace (platform-limits.md, Slack): past it Slack answers 429 and the Web API client
 * pauses *every* call until Retry-After, final answers and new posts included. Progress edits are
 * a nicety, so they spend tokens from this bucket and are skipped when it is empty; the final
 * edit of a triage is always sent (and counted).
 */
export interface EditBudget {
  /** Takes a token for an optional edit; false means skip it. */
  tryTake(): boolean;
  /** Counts an edit that is sent regardless (a final report). */
  take(): void;
}

export function createEditBudget({
  perMinute = 50,
  burst = 10,
  now = Date.now,
}: {
  perMinute?: number;
  burst?: number;
  now?: () => number;
} = {}): EditBudget {
  let tokens = burst;
  let last = now();
  const refill = () => {
    const at = now();
    tokens = Math.min(burst, tokens + ((at - last) * perMinute) / 60_000);
    last = at;
  };
  return {
    tryTake() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    take() {
      refill();
      // May go negative: the next optional edits wait until the final ones are paid for.
      tokens -= 1;
    },
  };
}
