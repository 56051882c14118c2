import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { parseSince } from '../../../src/cli/audit-command.js';

// Every test spawns the real CLI (tsx start-up takes seconds on a loaded machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const BIN = fileURLToPath(new URL('../../../bin/rdp-triage.js', import.meta.url));
const run = promisify(execFile);
const SECRET = 'Hunter2SecretValue';
const { RDP_TRIAGE_CONFIG: _ignored, ...INHERITED } = process.env;
const CHILD_ENV = { ...INHERITED, NO_COLOR: '1' };

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      timeout: 110_000,
      env: CHILD_ENV,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir = '';
let config = '';
// A config that switches the audit log off (without one, it is kept under the data directory).
const NO_STORE = join(tmpdir(), `rdp-audit-none-${process.pid}.yaml`);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-audit-cli-'));
  config = join(dir, 'bot.yaml');
  await writeFile(NO_STORE, 'store:\n  path: none\n');
  // Only loopback is allowed (the default): 10.9.9.9 is refused without a packet sent to it.
  await writeFile(config, `store:\n  path: ${join(dir, 'audit.db')}\nprobes:\n  timeoutMs: 1500\n`);
  const triage = await cli([
    'triage',
    '--config',
    config,
    '--json',
    `rdp 0x904 on 127.0.0.1 and on 10.9.9.9 password=${SECRET}`,
  ]);
  expect(triage.code, triage.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await rm(NO_STORE, { force: true });
});

describe('rdp-triage audit', () => {
  test('--json shows the request, its probes and its refusal, redacted', async () => {
    const { code, stdout } = await cli(['audit', '--config', config, '--json']);
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      kind: 'request',
      platform: 'cli',
      user: 'cli',
      intent: 'rdp_failure',
      codes: expect.arrayContaining(['0x904']),
      hosts: expect.arrayContaining(['127.0.0.1', '10.9.9.9']),
    });
    expect(event.text).toContain('password=[redacted]');
    expect(event.probes.map((p: { target: string }) => p.target)).toContain('127.0.0.1:3389');
    expect(event.refusals).toEqual([
      { target: '10.9.9.9', reason: expect.stringContaining('outside the allowed ranges') },
    ]);
  });

  test.for([
    // [args, number of events]
    [['--host', '10.9.9.9'], 1],
    [['--host', '127.0.0.1'], 1],
    [['--host', 'srv-elsewhere'], 0],
    [['--user', 'cli'], 1],
    [['--user', 'U0SOMEONE'], 0],
    [['--since', '1h'], 1],
    [['--since', '2999-01-01'], 0],
  ] as const)('filters %j', async ([args, count]) => {
    const { code, stdout } = await cli(['audit', '--db', join(dir, 'audit.db'), '--json', ...args]);
    expect(code).toBe(0);
    expect(stdout.trim() === '' ? 0 : stdout.trim().split('\n').length).toBe(count);
  });

  test('text output: one line per request, indented probes and refusals', async () => {
    const { code, stdout } = await cli(['audit', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/cli cli in cli {2}rdp_failure → probed/);
    expect(stdout).toMatch(/\n {4}probe tcp 127\.0\.0\.1:3389: /);
    expect(stdout).toMatch(/\n {4}refused "10\.9\.9\.9": not allowed to probe/);
  });

  test('the secret is in neither the output nor the database files', async () => {
    const { stdout } = await cli(['audit', '--config', config, '--json']);
    expect(stdout).not.toContain(SECRET);
    for (const file of await readdir(dir)) {
      if (file.startsWith('audit.db')) expect((await readFile(join(dir, file))).includes(SECRET)).toBe(false);
    }
  });

  test.for([
    [['audit', '--since', 'yesterday'], 2, /expected an age/],
    [['audit', '--config', NO_STORE], 1, /no audit log configured/],
    [['audit', '--db', '/nonexistent/audit.db'], 1, /no audit log at/],
  ] as const)('%j exits %i with a sentence', async ([args, exit, message]) => {
    const { code, stderr } = await cli([...args]);
    expect(code).toBe(exit);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('rdp-triage config check', () => {
  test('a valid file: exit 0 and a summary', async () => {
    const { code, stdout } = await cli(['config', 'check', config]);
    expect(code).toBe(0);
    expect(stdout).toContain('OK');
    expect(stdout).toContain('audit log');
    expect(stdout).toContain('Allow rules in force:');
    expect(stdout).toMatch(/other names are (refused without a lookup|looked up)/);
  });

  test('an invalid file: exit 1, one line per problem with file:line: key path', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'probes:\n  rdpPorts: [3389, 0]\naccess:\n  roles:\n    - name: x\n      users: [U1]\n',
    );
    const { code, stderr } = await cli(['config', 'check', bad]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${bad}:2: probes.rdpPorts[1]:`);
    expect(stderr).toContain(`${bad}:5: access.roles[0].hostGroups:`);
  });

  test('the bot refuses to start on an invalid file', async () => {
    const bad = join(dir, 'bad-triage.yaml');
    await writeFile(bad, 'allow:\n  cidrs: [10.0.0.0/40]\n');
    const { code, stderr, stdout } = await cli(['triage', '--config', bad, 'rdp 0x904 on 127.0.0.1']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${bad}:2: allow.cidrs[0]`);
  });

  test('a secret written into the file is flagged, not printed', async () => {
    const leaky = join(dir, 'leaky.yaml');
    await writeFile(leaky, 'store:\n  path: x.db\n# token: xoxb-123456789012-abcdefabcdef\n');
    const { code, stderr } = await cli(['config', 'check', leaky]);
    expect(code).toBe(0);
    expect(stderr).toContain(`${leaky}:3: warning: looks like a secret`);
    expect(stderr).not.toContain('xoxb-123456789012');
  });
});

test.for([
  ['90s', 90_000],
  ['30m', 1_800_000],
  ['12h', 43_200_000],
  ['7d', 604_800_000],
  ['2w', 1_209_600_000],
] as const)('--since %s', ([value, ms]) => {
  expect(parseSince(value, 10_000_000_000)).toBe(10_000_000_000 - ms);
});
