import { execFile } from 'node:child_process';
import { expect, test } from 'vitest';
import { writeLabConfigYaml } from './lab/lab-config.js';
import { describeWithLab } from './lab/lab-suite.js';

// The README path: a YAML config with a jump, used by `rdp-triage triage --config FILE`.

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/rdp-triage.js', ...args],
      { timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describeWithLab('rdp-triage triage --config with a jump', (lab) => {
  test('probes through the jump and reports what the servers said', async () => {
    const config = writeLabConfigYaml(lab);
    const { code, stdout, stderr } = await cli([
      'triage',
      '--json',
      '--config',
      config,
      '--probe-timeout',
      '3000',
      'rdp 0x904 on rdp-ok.lab and closed.lab',
    ]);
    expect(stderr).not.toMatch(/Error|TypeError/);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { findings: { probe: string; target: string; code: string }[] };
    const codeOf = (probe: string, target: string) =>
      report.findings.find((f) => f.probe === probe && f.target === target)?.code;
    expect(codeOf('dns', 'rdp-ok.lab')).toBe('DNS_OK');
    expect(codeOf('rdp', 'rdp-ok.lab:3389')).toBe('RDP_NEG_TLS');
    expect(codeOf('tls', 'rdp-ok.lab:3389')).toBe('TLS_CERT_SELF_SIGNED');
    expect(codeOf('tcp', 'closed.lab:3389')).toBe('TCP_REFUSED');
  });

  test('--probe-timeout is checked', async () => {
    const { code, stderr } = await cli(['triage', '--probe-timeout', '5', 'rdp on 127.0.0.1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/between 100 and 60000/);
  });
});
