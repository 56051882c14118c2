import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { nlaServer, startX224Server } from '../helpers/x224-server.js';

// Each test spawns the real binary (about 1 s of start-up on a quiet machine, far more on a busy one).
vi.setConfig({ testTimeout: 90_000 });

const BIN = fileURLToPath(new URL('../../bin/rdp-triage.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: 30_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({
          code: error && typeof error.code === 'number' ? error.code : child.exitCode,
          stdout,
          stderr,
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

let server: Awaited<ReturnType<typeof startX224Server>>;
let configPath: string;

beforeAll(async () => {
  server = await startX224Server(nlaServer('required'));
  const dir = await mkdtemp(join(tmpdir(), 'rdp-triage-cli-'));
  configPath = join(dir, 'config.yaml');
  await writeFile(configPath, `probes:\n  timeoutMs: 2000\n  rdpPorts: [${server.port}]\n`);
});

afterAll(async () => {
  await server.close();
});

describe('rdp-triage triage', () => {
  test('--json prints one Report with findings for the host and the 0x904 fixes', async () => {
    const { code, stdout } = await run([
      'triage',
      '--json',
      '--config',
      configPath,
      `rdp 0x904 extended 0x7 on 127.0.0.1:${server.port}`,
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] ?? '');
    expect(Object.keys(report).sort()).toEqual([
      'diagnostics',
      'findings',
      'fixes',
      'ms',
      'refusals',
      'startedAt',
      'understanding',
    ]);
    expect(report.understanding.codes.map((c: { value: string }) => c.value)).toEqual(
      expect.arrayContaining(['0x904', '0x7']),
    );
    const codes = (probe: string) =>
      report.findings
        .filter((f: { probe: string }) => f.probe === probe)
        .map((f: { code: string }) => f.code);
    expect(codes('tcp')).toEqual(['TCP_OPEN']);
    expect(codes('rdp')).toEqual(['RDP_NEG_NLA', 'RDP_NLA_REQUIRED']);
    const fixText = JSON.stringify(report.fixes);
    expect(fixText).toContain('fClientDisableUDP');
    expect(fixText).toContain('cmdkey');
  });

  test('text output names the host, the findings and numbered fixes', async () => {
    const { code, stdout } = await run([
      'triage',
      '--config',
      configPath,
      `rdp 0x904 on 127.0.0.1:${server.port}`,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`127.0.0.1:${server.port}`);
    expect(stdout).toMatch(/CredSSP/);
    expect(stdout).toMatch(/^ {2}1\. /m);
  });

  test('a host outside the allowlist is refused, and the message still gets fixes', async () => {
    const { code, stdout } = await run(['triage', '--json', 'rdp 0x904 on 192.0.2.10']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.findings).toEqual([]);
    expect(report.refusals[0]).toMatchObject({ target: '192.0.2.10' });
    expect(report.refusals[0].reason).toMatch(/allowed/);
    expect(report.fixes.length).toBeGreaterThan(0);
  });

  test.for([
    ['empty message', ''],
    ['whitespace only', '   '],
  ])('%s is a usage error (exit 2) with a clear message', async ([, text]) => {
    const { code, stderr } = await run(['triage', text ?? '']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/needs a message|missing required argument/);
  });

  test('a 1 MB message and binary garbage get a clear reply, exit 0, no stack trace', async () => {
    const huge = `rdp 0x904 ${'x'.repeat(1024 * 1024)}`;
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 255 || 1)).toString(
      'latin1',
    );
    for (const text of [huge.slice(0, 120_000), garbage]) {
      const { code, stdout, stderr } = await run(['triage', '--json', text]);
      expect(code).toBe(0);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(() => JSON.parse(stdout)).not.toThrow();
    }
  });
});

describe('usage errors exit 2', () => {
  test.for([
    [['triage', '--bogus', 'rdp 0x904']],
    [['classify']],
    [['no-such-command']],
    [['triage', '--config']],
  ])('%j', async ([args]) => {
    const { code, stderr } = await run(args ?? []);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error|usage|needs/i);
  });

  test('--help exits 0 and lists the commands', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/classify/);
    expect(stdout).toMatch(/triage/);
    expect(stdout).toMatch(/chat/);
  });

  test('a missing config file is a clear error (exit 1), not a stack trace', async () => {
    const { code, stderr } = await run([
      'triage',
      '--config',
      '/nonexistent/rdp.yaml',
      'rdp 0x904 on 127.0.0.1',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Cannot read config file \/nonexistent\/rdp.yaml/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('rdp-triage classify', () => {
  test('--json prints the Understanding', async () => {
    const { code, stdout } = await run([
      'classify',
      '--json',
      'Error code: 0x904 Extended error code: 0x7 on 10.20.30.40',
    ]);
    expect(code).toBe(0);
    const understanding = JSON.parse(stdout);
    expect(understanding.intent).toBe('rdp_failure');
    expect(understanding.codes).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: '0x7', role: 'extended' })]),
    );
    expect(understanding.hosts).toEqual([expect.objectContaining({ name: '10.20.30.40', kind: 'ipv4' })]);
  });

  test('--jsonl handles 10,000 lines, one JSON object per line, echoing ids', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i % 3 === 0
        ? JSON.stringify({ id: `m${i}`, text: `rdp 0x904 on srv-${i}` })
        : i % 3 === 1
          ? `mstsc error 0x204 to 10.0.0.${i % 250}`
          : '{not json at all',
    );
    const { code, stdout } = await run(['classify', '--jsonl'], `${lines.join('\n')}\n`);
    expect(code).toBe(0);
    const out = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(out).toHaveLength(10_000);
    expect(out[0]).toMatchObject({ id: 'm0' });
    expect(out[1]).toMatchObject({ id: 2 });
    expect(out[9999].intent).toBeTypeOf('string');
  });
});

describe('rdp-triage chat', () => {
  test('answers a message typed at the prompt, with findings and fixes', async () => {
    const child = spawn(process.execPath, [BIN, 'chat', '--config', configPath], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stdin.write(`rdp 0x904 extended 0x7 on 127.0.0.1:${server.port}\n`);
    child.stdin.end('help\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/Probing 127\.0\.0\.1/);
    expect(out).toMatch(/Fixes, most likely first/);
    expect(out).toMatch(/I triage Remote Desktop/);
  });
});
