import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { openDatabase } from '../../../src/store/sqlite.js';

// Replicas that start together open one new store file at the same moment: each must find (or
// make) the same schema, none may try to create it twice ("table requests already exists").
// The children load first and open only on the parent's "go", all at once.
const OPENER = fileURLToPath(new URL('./open-together.ts', import.meta.url));
const CHILDREN = 8;
let dir = '';
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function opener(path: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', OPENER, path], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ready = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) resolve();
    });
  });
  const done = once(child, 'close').then(([code]) => ({ code, out: stdout.slice(6).trim(), stderr }));
  return { child, ready, done };
}

test('eight processes opening one new store at the same moment all succeed, on one schema', async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-open-together-'));
  const path = join(dir, 'store.sqlite');
  const openers = Array.from({ length: CHILDREN }, () => opener(path));
  await Promise.all(openers.map(({ ready }) => ready));
  for (const { child } of openers) child.stdin?.write('go\n');
  const results = await Promise.all(openers.map(({ done }) => done));
  const here = openDatabase(path);
  const version = here.pragma('user_version', { simple: true });
  here.close();
  expect(
    results.map(({ code, stderr }) => ({ code, error: stderr.split('\n').find((l) => /Error/.test(l)) })),
  ).toEqual(Array(CHILDREN).fill({ code: 0, error: undefined }));
  expect(results.map(({ out }) => Number(out))).toEqual(Array(CHILDREN).fill(version));
}, 120_000);
