import { expect, test } from 'vitest';
import { probeNlaRequired } from '../../src/probes/nla-required.js';
import { failIfMissing } from '../helpers/prerequisites.js';
import type { LabHostName } from './lab/lab-plan.js';
import { describeWithLab, labJump } from './lab/lab-suite.js';

// "NLA required or only offered" through the jump against the lab's real servers. What each one
// answers to a TLS-only offer (measured: lab-notes §3 table, column "req 1"): xrdp in every mode
// lets a TLS-only client in (negotiate and tls select TLS; the rdp layer selects standard RDP),
// and FreeRDP's shadow server with /sec:nla refuses it with HYBRID_REQUIRED_BY_SERVER. Only the
// shadow server ever selects CredSSP, so it is the one that gets the finding in a triage.

describeWithLab('NLA required vs optional through the jump', (lab) => {
  const jump = labJump(lab);
  const { config } = jump;
  const triage = async (hosts: string[]) => (await jump.triage(hosts)).findings;

  test.for([
    { server: 'rdp-ok', code: 'RDP_NLA_OPTIONAL', detail: { selectedProtocol: 1 } },
    { server: 'rdp-tlsonly', code: 'RDP_NLA_OPTIONAL', detail: { selectedProtocol: 1 } },
    { server: 'rdp-rdponly', code: 'RDP_NLA_OPTIONAL', detail: { selectedProtocol: 0 } },
    { server: 'rdp-nla', code: 'RDP_NLA_REQUIRED', detail: { failureCode: 5 } },
  ] as { server: LabHostName; code: string; detail: Record<string, number> }[])(
    'a TLS-only offer to $server: $code',
    async ({ server, code, detail }) => {
      if (server === 'rdp-nla') failIfMissing(lab.skipped.nla);
      const finding = await probeNlaRequired(
        { host: lab.addresses[server], port: 3389, displayName: `${server}.lab` },
        {
          connector: jump.pool().connector('lab-jump'),
          signal: AbortSignal.timeout(config.probes.timeoutMs),
        },
      );
      expect(finding).toMatchObject({ probe: 'rdp', status: 'ok', code, detail });
    },
  );

  test('a triage of the NLA server reports "NLA required"; the xrdp servers get no NLA finding', async () => {
    const hosts = [
      'rdp-ok.lab',
      'rdp-tlsonly.lab',
      'rdp-rdponly.lab',
      ...(lab.skipped.nla ? [] : ['rdp-nla.lab']),
    ];
    const findings = await triage(hosts);
    const rdp = (host: string) =>
      findings.filter((f) => f.probe === 'rdp' && f.target === `${host}:3389`).map((f) => f.code);
    expect(rdp('rdp-ok.lab')).toEqual(['RDP_NEG_TLS']);
    expect(rdp('rdp-tlsonly.lab')).toEqual(['RDP_NEG_TLS']);
    expect(rdp('rdp-rdponly.lab')).toEqual(['RDP_NEG_LEGACY_RDP']);
    if (!lab.skipped.nla) {
      expect(rdp('rdp-nla.lab')).toEqual(['RDP_NEG_NLA', 'RDP_NLA_REQUIRED']);
      // The certificate check still rides on the first negotiation's connection.
      expect(findings.find((f) => f.probe === 'tls' && f.target === 'rdp-nla.lab:3389')?.code).toBe(
        'TLS_CERT_NAME_MISMATCH',
      );
    }
    expect(findings.filter((f) => f.probe === 'jump')).toEqual([]);
  });

  test("the check costs the host no extra connection: it rides on the tcp probe's", async () => {
    failIfMissing(lab.skipped.nla);
    const channels = async (host: string) => {
      const before = jump.pool().stats('lab-jump').channelsOpened;
      const findings = await triage([host]);
      return { opened: jump.pool().stats('lab-jump').channelsOpened - before, findings };
    };
    const tls = await channels('rdp-ok.lab');
    const nla = await channels('rdp-nla.lab');
    expect(nla.findings.map((f) => f.code)).toContain('RDP_NLA_REQUIRED');
    expect(tls.findings.map((f) => f.code)).not.toContain('RDP_NLA_REQUIRED');
    expect(nla.opened).toBe(tls.opened);
  });

  test('many triages of the NLA server at once: one SSH connection, every one gets the answer', async () => {
    failIfMissing(lab.skipped.nla);
    const before = jump.pool().stats('lab-jump').connectsStarted;
    const results = await Promise.all(Array.from({ length: 20 }, () => triage(['rdp-nla.lab'])));
    for (const findings of results)
      expect(findings.filter((f) => f.probe === 'rdp').map((f) => f.code)).toEqual([
        'RDP_NEG_NLA',
        'RDP_NLA_REQUIRED',
      ]);
    expect(jump.pool().stats('lab-jump').connectsStarted - before).toBeLessThanOrEqual(1);
  });
});
