/**
 * Remembers which deliveries were already handled, so a retried one is dropped. The in-memory
 * store serves one process; a shared store (Redis `SET key 1 NX PX ttl`) replaces it for replicas.
 */
export interface DedupeStore {
  /** True the first time `key` is claimed within `ttlMs`, false for every repeat. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export interface MemoryDedupeOptions {
  /** Most keys kept; the oldest go first. Bounds memory under an event flood. */
  maxKeys?: number;
  now?: () => number;
}

export function createMemoryDedupeStore({
  maxKeys = 50_000,
  now = Date.now,
}: MemoryDedupeOptions = {}): DedupeStore {
  // Insertion order is expiry order for a fixed TTL, so the oldest entries sit at the front.
  const expiries = new Map<string, number>();
  const sweep = (at: number) => {
    for (const [key, expiry] of expiries) {
      if (expiry > at && expiries.size <= maxKeys) break;
      expiries.delete(key);
    }
  };
  return {
    async claim(key, ttlMs) {
      const at = now();
      const expiry = expiries.get(key);
      if (expiry !== undefined && expiry > at) return false;
      expiries.delete(key);
      expiries.set(key, at + ttlMs);
      sweep(at);
      return true;
    },
  };
}
