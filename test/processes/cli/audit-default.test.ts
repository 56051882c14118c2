import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';

// Issue 22: `rdp-triage audit` after `npm start` (the console chat) and one triage lists that
// triage, with no config at all: the audit log is kept under the user's data directory.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const BIN = fileURLToPath(new URL('../../../bin/rdp-triage.js', import.meta.url));
const run = promisify(execFile);
const { RDP_TRIAGE_CONFIG: _ignored, XDG_DATA_HOME: _scratch, ...INHERITED } = process.env;

let home = '';
let env: NodeJS.ProcessEnv = {};
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'rdp-audit-default-'));
  env = { ...INHERITED, HOME: home, NO_COLOR: '1' };
});
afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** `npm start` (node bin/rdp-triage.js chat) with `lines` typed, until it exits at end of input. */
async function chat(
  lines: string[],
  extra: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'chat'], {
    env: { ...env, ...extra },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

test('the console chat keeps an audit log under ~/.local/share by default, says where once, and audit lists the triage', async () => {
  const store = join(home, '.local', 'share', 'rdp-triage', 'store.sqlite');
  // Loopback only (the out-of-the-box allow rules); 10.9.9.9 is refused without a packet sent.
  const first = await chat(['rdp 0x904 on 127.0.0.1 and on 10.9.9.9']);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toContain('10.9.9.9: not allowed to probe');
  expect(first.stderr.split('\n').filter((line) => line.includes('audit log'))).toEqual([
    `rdp-triage: keeping the audit log in ${store} (store.path: none switches it off)`,
  ]);

  const second = await chat(['rdp 0x204 on 127.0.0.1']);
  expect(second.code, second.stderr).toBe(0);
  // Said on first use only.
  expect(second.stderr).not.toContain('audit log');

  const { stdout } = await run(process.execPath, [BIN, 'audit', '--json'], { env, timeout: 60_000 });
  const events = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(events.map((event) => [event.platform, event.text])).toEqual([
    ['console', 'rdp 0x204 on 127.0.0.1'],
    ['console', 'rdp 0x904 on 127.0.0.1 and on 10.9.9.9'],
  ]);
  expect(events[1]?.refusals).toEqual([
    expect.objectContaining({ target: '10.9.9.9', reason: expect.stringContaining('allow.cidrs') }),
  ]);
});

test('XDG_DATA_HOME moves it; store.path none switches it off', async () => {
  const data = join(home, 'xdg');
  const moved = await chat(['rdp 0x904 on 127.0.0.1'], { XDG_DATA_HOME: data });
  expect(moved.stderr).toContain(`keeping the audit log in ${join(data, 'rdp-triage', 'store.sqlite')}`);
  expect(existsSync(join(data, 'rdp-triage', 'store.sqlite'))).toBe(true);

  const off = join(home, 'off');
  const config = join(home, 'off.yaml');
  await writeFile(config, 'store:\n  path: none\n');
  const quiet = await chat(['rdp 0x904 on 127.0.0.1'], { XDG_DATA_HOME: off, RDP_TRIAGE_CONFIG: config });
  expect(quiet.code, quiet.stderr).toBe(0);
  expect(quiet.stdout).toContain('0x904');
  expect(quiet.stderr).not.toContain('audit log');
  expect(existsSync(off)).toBe(false);
});
