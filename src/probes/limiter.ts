/**
 * At most `limit` holders at once; others wait in order. `acquire` honours its signal (a waiter
 * whose deadline passes leaves the queue) and returns the release function. (p-limit's idea,
 * with cancellation.)
 */
export function createLimiter(limit: number) {
  let active = 0;
  const queue: { grant: () => void; signal: AbortSignal }[] = [];
  const next = () => {
    while (active < limit && queue.length > 0) {
      const waiter = queue.shift();
      if (waiter && !waiter.signal.aborted) {
        active++;
        waiter.grant();
      }
    }
  };
  const release = () => {
    active--;
    next();
  };
  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    acquire(signal: AbortSignal): Promise<() => void> {
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        let released = false;
        const once = () => {
          if (!released) {
            released = true;
            release();
          }
        };
        const waiter = {
          signal,
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(once);
          },
        };
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        next();
      });
    },
  };
}
