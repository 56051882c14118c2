import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { openDatabase } from '../../../src/store/sqlite.js';
import { killUnderLoad } from './kill-under-load.js';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// The bot may be killed at any moment. Every row it reported committed must be there afterwards,
// the file must pass integrity_check, and no request may be half-written (all or none of its probes).
test('the audit store survives kill -9 under load without losing committed rows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rdp-crash-'));
  dirs.push(dir);
  const path = join(dir, 'audit.db');
  const reported: number[] = [];
  // Kill points spread from early (first pages) to later (WAL growing); fixed, so a failure repeats.
  for (const [round, after] of [7, 150, 600, 1].entries()) {
    reported.push(...(await killUnderLoad(WRITER, [path, String(round)], after, Number)));
    const db = openDatabase(path);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const ids = new Set((db.prepare('SELECT id FROM requests').all() as { id: number }[]).map((r) => r.id));
      const missing = reported.filter((id) => !ids.has(id));
      expect(missing).toEqual([]);
      const torn = db
        .prepare(
          `SELECT r.id FROM requests r
           WHERE r.outcome = 'probed' AND (SELECT count(*) FROM probes p WHERE p.request_id = r.id) <> 25`,
        )
        .all();
      expect(torn).toEqual([]);
      const stored = db
        .prepare("SELECT count(*) AS n FROM requests WHERE text_redacted LIKE '%hunter%'")
        .get();
      expect(stored).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }
  expect(reported.length).toBeGreaterThanOrEqual(7 + 150 + 600 + 1);
}, 400_000);
