import { LRUCache } from 'lru-cache';

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
  // Least recently claimed keys go first when the bound is reached; each key expires on its own TTL.
  // The value is the claim's expiry, checked here so a key is free again exactly `ttlMs` later.
  const claimed = new LRUCache<string, number>({ max: maxKeys, perf: { now } });
  return {
    async claim(key, ttlMs) {
      const at = now();
      const expiry = claimed.get(key);
      if (expiry !== undefined && expiry > at) return false;
      claimed.set(key, at + ttlMs, { ttl: ttlMs });
      return true;
    },
  };
}
