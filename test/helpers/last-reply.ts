import type { Surface } from '../../src/bot/conversation/ports.js';
import type { Reply } from '../../src/report/reply.js';

/** A surface that keeps only the latest reply (posted or updated): what the user ends up seeing. */
export function lastReplySurface(minUpdateIntervalMs = 0): {
  surface: Surface;
  last: () => Reply | undefined;
} {
  let latest: Reply | undefined;
  const keep = async (reply: Reply) => {
    latest = reply;
  };
  return { surface: { minUpdateIntervalMs, post: keep, update: keep }, last: () => latest };
}
