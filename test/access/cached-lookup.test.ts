import { describe, expect, test } from 'vitest';
import { createCachedLookup } from '../../src/access/cached-lookup.js';

/** A loader whose answers the test releases one by one, counting calls per key. */
function scripted() {
  const calls: string[] = [];
  const waiting: { key: string; resolve: (v: string[]) => void; reject: (e: Error) => void }[] = [];
  const load = (key: string) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push(key);
      waiting.push({ key, resolve, reject });
    });
  const next = () => {
    const head = waiting.shift();
    if (!head) throw new Error('no load is waiting');
    return head;
  };
  return { calls, load, next };
}

function setup(options: { maxEntries?: number } = {}) {
  let now = 1_000_000;
  const loader = scripted();
  const errors: { key: string; stale: boolean }[] = [];
  const lookup = createCachedLookup<string, string[]>({
    load: loader.load,
    ttlMs: 300_000,
    retryAfterMs: 30_000,
    maxEntries: options.maxEntries ?? 100,
    now: () => now,
    onError: (_error, key, stale) => errors.push({ key, stale }),
  });
  return { lookup, loader, errors, tick: (ms: number) => (now += ms) };
}

describe('cached look-up', () => {
  test('callers during a load share it; the answer is reused until the TTL ends', async () => {
    const { lookup, loader, tick } = setup();
    const first = lookup.get('U1');
    const second = lookup.get('U1');
    loader.next().resolve(['S1']);
    expect(await first).toEqual(['S1']);
    expect(await second).toEqual(['S1']);
    expect(loader.calls).toEqual(['U1']);

    tick(299_999);
    expect(await lookup.get('U1')).toEqual(['S1']);
    expect(loader.calls).toHaveLength(1);

    tick(1);
    const refreshed = lookup.get('U1');
    loader.next().resolve(['S1', 'S2']);
    expect(await refreshed).toEqual(['S1', 'S2']);
    expect(loader.calls).toHaveLength(2);
  });

  test('a failed refresh serves the previous answer and waits retryAfterMs before asking again', async () => {
    const { lookup, loader, errors, tick } = setup();
    const first = lookup.get('U1');
    loader.next().resolve(['S1']);
    await first;
    tick(300_000);
    const during = lookup.get('U1');
    loader.next().reject(new Error('ratelimited'));
    expect(await during).toEqual(['S1']);
    expect(errors).toEqual([{ key: 'U1', stale: true }]);

    tick(29_999);
    expect(await lookup.get('U1')).toEqual(['S1']);
    expect(loader.calls).toHaveLength(2);
    tick(1);
    const retried = lookup.get('U1');
    loader.next().resolve([]);
    expect(await retried).toEqual([]);
    expect(loader.calls).toHaveLength(3);
  });

  test('with no previous answer a failure is thrown, and remembered for retryAfterMs', async () => {
    const { lookup, loader, errors, tick } = setup();
    const first = lookup.get('U1');
    loader.next().reject(new Error('missing_scope'));
    await expect(first).rejects.toThrow('missing_scope');
    await expect(lookup.get('U1')).rejects.toThrow('missing_scope');
    expect(loader.calls).toHaveLength(1);
    expect(errors).toEqual([{ key: 'U1', stale: false }]);
    tick(30_000);
    const retried = lookup.get('U1');
    loader.next().resolve(['S9']);
    expect(await retried).toEqual(['S9']);
  });

  test('keeps at most maxEntries keys, dropping the least recently loaded', async () => {
    const { lookup, loader } = setup({ maxEntries: 2 });
    for (const key of ['U1', 'U2', 'U3']) {
      const got = lookup.get(key);
      loader.next().resolve([key]);
      await got;
    }
    const again = lookup.get('U1');
    expect(loader.calls).toEqual(['U1', 'U2', 'U3', 'U1']);
    loader.next().resolve(['U1']);
    await again;
    expect(await lookup.get('U3')).toEqual(['U3']);
    expect(loader.calls).toHaveLength(4);
  });
});
