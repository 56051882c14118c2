import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  type ConversationStore,
  createMemoryConversationStore,
  createSqliteConversationStore,
} from '../../src/store/conversation-store.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite.js';

// Where the Teams surface keeps the conversation references it learned. The SQLite store must
// behave exactly like the in-memory one (the port's reference), and keep what it was given
// across a reopen of the file: a restarted serve, or `monitor --once` in another process.

const reference = (id: string, serviceUrl = 'https://smba.trafficmanager.net/emea/') => ({
  serviceUrl,
  channelId: 'msteams',
  conversation: { id, conversationType: 'channel' },
});

let dir = '';
const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function sqliteStore(options: { max?: number; now?: () => number } = {}): {
  store: ConversationStore;
  db: SqliteDatabase;
} {
  dir ||= mkdtempSync(join(tmpdir(), 'conversation-store-'));
  const db = openDatabase(join(dir, 'store.sqlite'));
  open.push(db);
  return { store: createSqliteConversationStore(db, options), db };
}

const keysOf = async (store: ConversationStore, platform = 'teams') =>
  (await store.list(platform)).map(({ key }) => key);

describe.for([
  { kind: 'memory', make: (max?: number) => createMemoryConversationStore({ ...(max && { max }) }) },
  // One clock tick for every put: the order must come from the puts, not from distinct times.
  { kind: 'sqlite', make: (max?: number) => sqliteStore({ ...(max && { max }), now: () => 1000 }).store },
])('$kind conversation store', ({ make }) => {
  test('lists what was put, the most recently put last; a put again replaces and moves it', async () => {
    const store = make();
    await store.put('teams', '19:a', reference('19:a'));
    await store.put('teams', '19:b', reference('19:b'));
    await store.put('teams', '19:a', reference('19:a', 'https://smba.trafficmanager.net/amer/'));
    expect(await store.list('teams')).toEqual([
      { key: '19:b', reference: reference('19:b') },
      { key: '19:a', reference: reference('19:a', 'https://smba.trafficmanager.net/amer/') },
    ]);
  });

  test('keeps the newest `max` per platform; platforms are apart', async () => {
    const store = make(3);
    for (const key of ['a:1', 'a:2', 'a:3', 'a:4']) await store.put('teams', key, reference(key));
    await store.put('teams', 'a:2', reference('a:2')); // seen again: newest now
    await store.put('teams', 'a:5', reference('a:5'));
    await store.put('other', 'a:1', reference('a:1'));
    expect(await keysOf(store)).toEqual(['a:4', 'a:2', 'a:5']);
    expect(await keysOf(store, 'other')).toEqual(['a:1']);
    expect(await keysOf(store, 'slack')).toEqual([]);
  });

  test('gives back a copy: changing what was put changes nothing stored', async () => {
    const store = make();
    const given = reference('19:a');
    await store.put('teams', '19:a', given);
    given.conversation.id = 'changed';
    expect((await store.list('teams'))[0]?.reference).toEqual(reference('19:a'));
  });
});

test('the SQLite store keeps its references when the file is opened again, and bounds the table', async () => {
  let clock = 0;
  const first = sqliteStore({ max: 2, now: () => ++clock });
  for (const key of ['19:a', '19:b', '19:c']) await first.store.put('teams', key, reference(key));
  first.db.close();
  open.splice(open.indexOf(first.db), 1);

  const again = sqliteStore({ max: 2 });
  expect(await again.store.list('teams')).toEqual([
    { key: '19:b', reference: reference('19:b') },
    { key: '19:c', reference: reference('19:c') },
  ]);
  expect(again.db.prepare('SELECT count(*) AS n FROM conversation_refs').get()).toEqual({ n: 2 });
});

test('a row that is not JSON is skipped; the others still load', async () => {
  const { store, db } = sqliteStore();
  await store.put('teams', '19:a', reference('19:a'));
  db.prepare(
    "INSERT INTO conversation_refs (platform, key, reference, seen_ms) VALUES ('teams', '19:torn', '{\"serv', 1)",
  ).run();
  expect(await keysOf(store)).toEqual(['19:a']);
});
