/**
 * Sliding-window counts per key: how many units were used in the last `windowMs`. Time comes from
 * `now`, so tests drive it without waiting. Memory is bounded by the keys seen in the last window.
 */
export interface RateLimiter {
  /** Units `key` may still use now under `limit`. */
  available(key: string, limit: number): number;
  /** Uses `count` units (call after `available`). */
  consume(key: string, count: number): void;
  /** Milliseconds until `key` has at least one unit free under `limit` (0 when it has one now). */
  retryAfterMs(key: string, limit: number): number;
}

export function createRateLimiter({
  windowMs = 60_000,
  now = Date.now,
}: {
  windowMs?: number;
  now?: () => number;
} = {}): RateLimiter {
  const used = new Map<string, number[]>();
  let lastSweep = now();
  const live = (key: string) => {
    const at = now();
    // Forget idle keys once a window, so a stream of one-off users cannot grow the map forever.
    if (at - lastSweep >= windowMs) {
      lastSweep = at;
      for (const [other, times] of used) if ((times.at(-1) ?? 0) <= at - windowMs) used.delete(other);
    }
    const times = (used.get(key) ?? []).filter((t) => t > at - windowMs);
    used.set(key, times);
    return times;
  };
  return {
    available: (key, limit) => Math.max(0, limit - live(key).length),
    consume(key, count) {
      const times = live(key);
      for (let i = 0; i < count; i += 1) times.push(now());
    },
    retryAfterMs(key, limit) {
      const times = live(key);
      if (times.length < limit) return 0;
      // The unit that frees a slot is the (length - limit + 1)-th oldest.
      const freeing = times[times.length - limit] ?? now();
      return Math.max(0, freeing + windowMs - now());
    },
  };
}
