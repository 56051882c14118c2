import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/open-store.js';

// The readiness check of the SQLite store (issue 10: /readyz says whether the store is writable).

let dir: string;
let store: Store;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-triage-store-'));
  path = join(dir, 'audit.db');
  store = openStore({ path, retentionDays: 30, feedbackRetentionDays: 365 });
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

test('a writable store commits the check row', () => {
  expect(store.checkWritable()).toEqual({ ok: true });
  const other = new Database(path, { readonly: true });
  expect(other.prepare('SELECT count(*) AS n FROM store_health').get()).toEqual({ n: 1 });
  other.close();
});

test('a write lock held by another process makes it not writable, naming SQLite’s reason, until released', () => {
  const other = new Database(path);
  other.exec('BEGIN EXCLUSIVE');
  other.prepare('INSERT OR REPLACE INTO store_health (id, at_ms) VALUES (1, 0)').run();
  try {
    expect(store.checkWritable(50)).toEqual({ ok: false, detail: `store ${path}: SQLITE_BUSY` });
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  expect(store.checkWritable(50)).toEqual({ ok: true });
});

test('a closed store says so', () => {
  store.close();
  expect(store.checkWritable()).toEqual({ ok: false, detail: `store ${path} is closed` });
  store = openStore({ path, retentionDays: 30, feedbackRetentionDays: 365 });
});
