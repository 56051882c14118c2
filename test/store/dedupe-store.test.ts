import { expect, test } from 'vitest';
import { createMemoryDedupeStore } from '../../src/store/dedupe-store.js';

test('a key is claimed once within its TTL, again after it', async () => {
  let now = 1_000;
  const store = createMemoryDedupeStore({ now: () => now });
  expect(await store.claim('slack:T1:D1:1.1', 60_000)).toBe(true);
  expect(await store.claim('slack:T1:D1:1.1', 60_000)).toBe(false);
  expect(await store.claim('slack:T1:D1:1.2', 60_000)).toBe(true);
  now += 59_999;
  expect(await store.claim('slack:T1:D1:1.1', 60_000)).toBe(false);
  now += 1;
  expect(await store.claim('slack:T1:D1:1.1', 60_000)).toBe(true);
});

test('memory stays bounded under a flood of distinct keys; recent keys are still remembered', async () => {
  const store = createMemoryDedupeStore({ maxKeys: 100, now: () => 0 });
  for (let i = 0; i < 1000; i += 1) expect(await store.claim(`k${i}`, 60_000)).toBe(true);
  expect(await store.claim('k999', 60_000)).toBe(false);
  expect(await store.claim('k950', 60_000)).toBe(false);
  // The oldest were dropped to stay within maxKeys.
  expect(await store.claim('k0', 60_000)).toBe(true);
});
