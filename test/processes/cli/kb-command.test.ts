import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';

const cli = (args: string[]) => runCli(args, { timeoutMs: 60_000 });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-kb-cli-'));
  await mkdir(join(dir, 'bad', 'fixes'), { recursive: true });
  await writeFile(
    join(dir, 'bad', 'fixes', 'acme.yaml'),
    '- id: acme-fix\n  title: A fix\n  audience: everyone\n  risk: low\n  causes: { port_blocked: 1 }\n  steps:\n    - text: Do it.\n  verify:\n    text: It works now.\n',
  );
  await mkdir(join(dir, 'good', 'codes'), { recursive: true });
  await writeFile(
    join(dir, 'good', 'codes', 'acme.yaml'),
    'role: gateway\nsource: ACME\nconfidence: ORG\ncodes:\n  - { value: "0x3000066", meaning: "ACME gateway farm says no.", causes: [gateway_policy] }\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rdp-triage kb', { timeout: 120_000 }, () => {
  test('lookup 0x904 prints the entry and the four 0x904 fixes with their commands', async () => {
    const { code, stdout } = await cli(['kb', 'lookup', '0x904']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^0x904 \(decimal 2308\), read as hex/);
    expect(stdout).toContain('disconnectReasonAtClientWinsockFDCLOSE');
    expect(stdout).toContain('fClientDisableUDP /t REG_DWORD /d 1 /f');
    expect(stdout).toContain('-Name RDGClientTrace -Type DWord -Value 15');
    expect(stdout).toContain('Bypass SSL/TLS inspection for the RD Gateway (TCP 443, UDP 3391)');
    expect(stdout).toContain('cmdkey /delete:"TERMSRV/<server>"');
  });

  test('lookup 2308 --json and lookup 0X00000904 --json find the same entry', async () => {
    const [decimal, padded] = await Promise.all([
      cli(['kb', 'lookup', '2308', '--json']),
      cli(['kb', 'lookup', '0X00000904', '--json']),
    ]);
    const a = JSON.parse(decimal.stdout);
    const b = JSON.parse(padded.stdout);
    expect(a.value).toBe('0x904');
    expect(a.entries).toEqual(b.entries);
    expect(a.fixes.map((f: { id: string }) => f.id)).toEqual(b.fixes.map((f: { id: string }) => f.id));
  });

  test('lookup 0x7 explains the extended reason', async () => {
    const { stdout } = await cli(['kb', 'lookup', '0x7']);
    expect(stdout).toMatch(
      /Extended code {2}exDiscReasonServerDeniedConnection[\s\S]*server denied the connection/i,
    );
  });

  test('check names file, line and key of a bad extension and exits 1; a good one exits 0', async () => {
    const bad = await cli(['kb', 'check', join(dir, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(dir, 'bad', 'fixes', 'acme.yaml')}:3: 0.audience:`);
    const good = await cli(['kb', 'check', join(dir, 'good')]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid \(1 organisation codes, 0 organisation fixes/);
  });

  test('search and list answer from the catalogue', async () => {
    const [search, list] = await Promise.all([cli(['kb', 'search', 'cmdkey']), cli(['kb', 'list', 'fixes'])]);
    expect(search.stdout).toMatch(/fix {3}clear-saved-credentials/);
    expect(list.stdout).toMatch(/^# \d+ fixes/);
    expect(Number(/^# (\d+) fixes/.exec(list.stdout)?.[1])).toBeGreaterThanOrEqual(45);
  });
});
