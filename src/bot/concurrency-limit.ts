/**
 * Runs at most `max` tasks at once; the rest wait in arrival order. The chat surfaces put their
 * triages behind it so a flood of messages queues cheaply instead of filling the event loop with
 * callbacks — the loop stays free to acknowledge new deliveries within Slack's 3 s.
 */
export function createConcurrencyLimit(max: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else active += 1;
      try {
        return await task();
      } finally {
        // The slot passes straight to the next waiter; only an idle slot is given back.
        const next = waiting.shift();
        if (next) next();
        else active -= 1;
      }
    },
  };
}
