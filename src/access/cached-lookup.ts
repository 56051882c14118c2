import { LRUCache } from 'lru-cache';

/**
 * A look-up whose answers are kept for `ttlMs`, for directory data that changes rarely and costs
 * an API call (Slack user groups, Graph group memberships). One load per key runs at a time
 * (callers asking meanwhile share it). A failed load keeps serving the last answer if there is
 * one, else it fails; either way no new load starts for `retryAfterMs`, so an outage or a missing
 * permission costs one call per key per cool-down, not one per chat message.
 */
export interface CachedLookup<K, V> {
  get(key: K): Promise<V>;
}

export interface CachedLookupOptions<K, V> {
  /** Loads the value; must end by itself (the loaders take a deadline). */
  load: (key: K) => Promise<V>;
  ttlMs: number;
  /** After a failed load, how long to answer from the stale value (or the failure) before retrying. */
  retryAfterMs: number;
  /** Keys kept at most; the least recently loaded go first. */
  maxEntries: number;
  /** Told once per failed load (log it); `stale` says whether an older value is served instead. */
  onError?: (error: unknown, key: K, stale: boolean) => void;
  now?: () => number;
}

interface Entry<V> {
  /** Absent when no load has succeeded yet. */
  value?: { current: V };
  error?: unknown;
  /** Until when this entry answers without a new load. */
  until: number;
}

export function createCachedLookup<K, V>({
  load,
  ttlMs,
  retryAfterMs,
  maxEntries,
  onError = () => {},
  now = Date.now,
}: CachedLookupOptions<K, V>): CachedLookup<K, V> {
  // Bounded by count; freshness is each entry's own `until` (a failure answers for `retryAfterMs`,
  // a value for `ttlMs`, and a stale value is still served after a failed refresh).
  const entries = new LRUCache<K & {}, Entry<V>>({ max: maxEntries });
  const loading = new Map<K, Promise<V>>();
  const store = (key: K, entry: Entry<V>) => void entries.set(key as K & {}, entry);

  const refresh = (key: K, previous: Entry<V> | undefined): Promise<V> => {
    const running = load(key).then(
      (value) => {
        store(key, { value: { current: value }, until: now() + ttlMs });
        return value;
      },
      (error: unknown) => {
        const stale = previous?.value;
        onError(error, key, stale !== undefined);
        store(key, { ...(stale && { value: stale }), error, until: now() + retryAfterMs });
        if (stale) return stale.current;
        throw error;
      },
    );
    const shared = running.finally(() => loading.delete(key));
    loading.set(key, shared);
    return shared;
  };

  return {
    get(key) {
      const entry = entries.get(key as K & {});
      if (entry && now() < entry.until) {
        if (entry.value) return Promise.resolve(entry.value.current);
        return Promise.reject(entry.error);
      }
      return loading.get(key) ?? refresh(key, entry);
    },
  };
}
