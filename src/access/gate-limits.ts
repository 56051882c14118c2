import { createRateLimiter } from './rate-limiter.js';

/** How many of the wanted probes fit both the user's and the channel's window. */
export interface ProbeGrant {
  granted: number;
  /** Until each key has a unit free again (0 when it has one now). */
  userWaitMs: number;
  channelWaitMs: number;
}

/**
 * Where the access gate keeps its counts. In-process by default (`createLocalLimits`); several
 * replicas share one through Redis (src/ops/redis/redis-rate-limiter.ts has the same shape).
 */
export interface GateLimits {
  /** Takes up to `want` units from both sliding windows at once. */
  takeProbes(options: {
    userKey: string;
    channelKey: string;
    want: number;
    userLimit: number;
    channelLimit: number;
    windowMs?: number;
  }): Promise<ProbeGrant>;
  /** One of `max` concurrent slots under `key`: a release function, or null when all are taken. */
  acquire(key: string, options: { max: number; ttlMs: number }): Promise<(() => Promise<void>) | null>;
}

/** Counts in this process; slots are released by the triage (no expiry needed in one process). */
export function createLocalLimits({ now = Date.now }: { now?: () => number } = {}): GateLimits {
  const windows = createRateLimiter({ now });
  const running = new Map<string, number>();
  return {
    async takeProbes({ userKey, channelKey, want, userLimit, channelLimit }) {
      const granted = Math.min(
        want,
        windows.available(userKey, userLimit),
        windows.available(channelKey, channelLimit),
      );
      windows.consume(userKey, granted);
      windows.consume(channelKey, granted);
      return {
        granted,
        userWaitMs: windows.retryAfterMs(userKey, userLimit),
        channelWaitMs: windows.retryAfterMs(channelKey, channelLimit),
      };
    },
    async acquire(key, { max }) {
      const count = running.get(key) ?? 0;
      if (count >= max) return null;
      running.set(key, count + 1);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const left = (running.get(key) ?? 1) - 1;
        if (left <= 0) running.delete(key);
        else running.set(key, left);
      };
    },
  };
}
