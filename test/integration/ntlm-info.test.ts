import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { probeNtlmInfo } from '../../src/probes/ntlm-info.js';
import { failIfMissing } from '../helpers/prerequisites.js';
import { describeWithLab, labJump } from './lab/lab-suite.js';

// What the machine says about itself in its NTLM CHALLENGE, through the real OpenSSH jump, against
// FreeRDP's shadow server with /sec:nla (the only lab server that selects CredSSP; as root it runs
// in a UTS namespace named rdp-nla, so it names itself RDP-NLA / rdp-nla as in lab-notes §8).
// nmap's rdp-ntlm-info reads the same server from the jump's side, side by side. srv-stale.lab
// is a stale DNS record pointing at the shadow server's address (test/integration/lab/lab-files.ts).

describeWithLab('NTLM CHALLENGE through the jump', (lab) => {
  const jump = labJump(lab);
  const { config, triage } = jump;

  test('the NLA server names itself as nmap reads it; its clock is the jump host’s', async () => {
    failIfMissing(lab.skipped.nla);
    const nmapArgs = ['-Pn', '-p', '3389', '--script', 'rdp-ntlm-info', lab.addresses['rdp-nla']];
    const [command, args] = lab.ns
      ? ['ip', ['netns', 'exec', lab.ns.jump, 'nmap', ...nmapArgs]]
      : ['nmap', nmapArgs];
    const { stdout } = await promisify(execFile)(command, args, { timeout: 60_000 });
    const nmapField = (name: string) => new RegExp(`${name}: (\\S+)`).exec(stdout)?.[1];
    expect(nmapField('NetBIOS_Computer_Name'), stdout).toBeDefined();
    const finding = await probeNtlmInfo(
      { host: lab.addresses['rdp-nla'], port: 3389, displayName: 'rdp-nla.lab' },
      { connector: jump.pool().connector('lab-jump'), signal: AbortSignal.timeout(config.probes.timeoutMs) },
    );
    expect(finding).toMatchObject({
      probe: 'ntlm',
      detail: {
        targetName: nmapField('Target_Name'),
        netbiosComputer: nmapField('NetBIOS_Computer_Name'),
        netbiosDomain: nmapField('NetBIOS_Domain_Name'),
        dnsComputer: nmapField('DNS_Computer_Name'),
        dnsDomain: nmapField('DNS_Domain_Name'),
        version: { major: 6, minor: 1, build: 7601 },
      },
    });
    expect(nmapField('Product_Version')).toBe('6.1.7601');
    if (process.getuid?.() === 0)
      expect(finding).toMatchObject({
        status: 'ok',
        code: 'NTLM_INFO',
        detail: { dnsComputer: 'rdp-nla' },
      });
    expect(Math.abs(Number(finding.detail?.skewSeconds))).toBeLessThan(60);
    expect(finding.summary).toMatch(
      /answers as rdp-nla, Windows 7 \/ Server 2008 R2 SP1 \(6\.1\.7601\), CredSSP \d/,
    );
  });

  test('a triage reads it for the NLA server only; xrdp is "not offered"', async () => {
    failIfMissing(lab.skipped.nla);
    // Without root the shadow server carries this machine's name, so rdp-nla.lab is a mismatch.
    failIfMissing(process.getuid?.() === 0 ? undefined : 'the shadow server is named rdp-nla only as root');
    const report = await triage(['rdp-nla.lab', 'rdp-ok.lab']);
    const ntlm = report.findings.filter((f) => f.probe === 'ntlm');
    expect(ntlm.map((f) => [f.target, f.code]).sort()).toEqual([
      ['rdp-nla.lab:3389', 'NTLM_INFO'],
      ['rdp-ok.lab:3389', 'NTLM_NOT_OFFERED'],
    ]);
  });

  test('a stale DNS name answers as another machine: the mismatch, and the DNS check ranks in the top 3', async () => {
    failIfMissing(lab.skipped.nla);
    const report = await triage(['srv-stale.lab']);
    const ntlm = report.findings.find((f) => f.probe === 'ntlm');
    expect(ntlm).toMatchObject({
      status: 'warn',
      code: 'NTLM_NAME_MISMATCH',
      detail: { askedFor: 'srv-stale.lab' },
    });
    expect(ntlm?.summary).toMatch(/answers as rdp-nla.*not srv-stale\.lab/);
    expect(report.fixes.slice(0, 3).map((fix) => fix.id)).toContain('check-dns-resolution');
  });

  test('a server whose clock is 20 minutes ahead (libfaketime): the skew in minutes, the time fix in the top 3', async () => {
    failIfMissing(lab.skipped.skew);
    const report = await triage(['rdp-skew.lab']);
    const ntlm = report.findings.find((f) => f.probe === 'ntlm');
    expect(ntlm).toMatchObject({ status: 'fail', code: 'NTLM_CLOCK_SKEW' });
    expect(Math.abs(Number(ntlm?.detail?.skewSeconds) - 1200)).toBeLessThanOrEqual(60);
    expect(ntlm?.summary).toMatch(/clock 20 min ahead of the bot's/);
    expect(report.fixes.slice(0, 3).map((fix) => fix.id)).toContain('resync-time');
  });
});
