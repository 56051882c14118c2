import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { incidentsSchema } from '../../../src/config/incidents-schema.js';
import { createIncidentTracker } from '../../../src/incidents/incident-tracker.js';
import { openDatabase } from '../../../src/store/sqlite.js';

// Issue 19: "incidents, attachments and state changes survive a restart and a kill -9". A writer
// process reports outages of five hosts through the real tracker on a store file and is killed
// with SIGKILL at fixed points, four times; each restart goes on with the same file. Every report
// it said was attached must be on its incident afterwards, every acknowledgement it said was
// made must still be there, and the restarts must join the open incidents, never open a second
// one per outage.

const WRITER = fileURLToPath(new URL('./incidents-crash-writer.ts', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

type Line = { user: string; host: string; incident: string | null } | { acknowledged: string };

/** Starts the writer, waits until it printed `after` committed lines, SIGKILLs it. */
function killUnderLoad(path: string, round: number, after: number): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Line[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) lines.push(JSON.parse(line) as Line);
      if (lines.length >= after && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code ?? signal}: ${stderr}`));
      else resolve(lines);
    });
  });
}

test('incidents, their reports and acknowledgements survive kill -9 and restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rdp-incidents-crash-'));
  dirs.push(dir);
  const path = join(dir, 'store.db');
  const told: Line[] = [];
  for (const [round, after] of [3, 120, 400, 40].entries()) {
    told.push(...(await killUnderLoad(path, round, after)));
    const db = openDatabase(path);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const tracker = createIncidentTracker(db, incidentsSchema.parse({}));
      const incidents = await tracker.list({ all: true });
      // One incident per outage however often the writer was killed and restarted.
      expect(incidents.map((incident) => incident.target).sort()).toEqual(
        [...new Set(incidents.map((incident) => incident.target))].sort(),
      );
      const byId = new Map(incidents.map((incident) => [incident.id, incident]));
      const lost = told.filter(
        (line) =>
          'user' in line &&
          line.incident !== null &&
          !byId.get(line.incident)?.reporters.includes(`slack:${line.user}`),
      );
      expect(lost).toEqual([]);
      for (const line of told)
        if ('acknowledged' in line) expect(byId.get(line.acknowledged)?.state).toBe('mitigated');
    } finally {
      db.close();
    }
  }
  const attached = told.filter((line) => 'user' in line && line.incident !== null);
  expect(attached.length).toBeGreaterThan(400);
  expect(told.some((line) => 'acknowledged' in line)).toBe(true);
}, 400_000);
