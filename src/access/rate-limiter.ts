/**
 * A sliding-window limit per key: at most `limit` units in any `windowMs`. Time comes from `now`,
 * so tests drive it without waiting. Memory is bounded by the keys seen in the last window.
 */
export interface RateLimiter {
  /** Units `key` may still use now. */
  available(key: string): number;
  /** Uses `count` units (call after `available`). */
  consume(key: string, count: number): void;
  /** Milliseconds until `key` has at least one unit again (0 when it has one now). */
  retryAfterMs(key: string): number;
}

export function createRateLimiter({
  limit,
  windowMs = 60_000,
  now = Date.now,
}: {
  limit: number;
  windowMs?: number;
  now?: () => number;
}): RateLimiter {
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
    available: (key) => Math.max(0, limit - live(key).length),
    consume(key, count) {
      const times = live(key);
      for (let i = 0; i < count; i += 1) times.push(now());
    },
    retryAfterMs(key) {
      const times = live(key);
      if (times.length < limit) return 0;
      // The unit that frees a slot is the (length - limit + 1)-th oldest.
      const freeing = times[times.length - limit] ?? now();
      return Math.max(0, freeing + windowMs - now());
    },
  };
}

/** Counts running triages per key, up to `max`. */
export interface ConcurrencyLimit {
  tryAcquire(key: string): boolean;
  release(key: string): void;
  running(key: string): number;
}

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  const running = new Map<string, number>();
  return {
    tryAcquire(key) {
      const count = running.get(key) ?? 0;
      if (count >= max) return false;
      running.set(key, count + 1);
      return true;
    },
    release(key) {
      const count = (running.get(key) ?? 0) - 1;
      if (count <= 0) running.delete(key);
      else running.set(key, count);
    },
    running: (key) => running.get(key) ?? 0,
  };
}
