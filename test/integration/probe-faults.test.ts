import { expect, test } from 'vitest';
import { failIfMissing } from '../helpers/prerequisites.js';
import { resetHung } from './lab/lab.js';
import { describeWithLab, labJump } from './lab/lab-suite.js';

// Every fault of the lab, probed through the jump the way the bot does it, must give the right
// Finding (status + code). The servers are real: xrdp, FreeRDP's shadow server, openssl s_server,
// dnsmasq, nft drops, a SIGSTOPped xrdp (lab-notes §3–§5).

interface Row {
  fault: string;
  hosts?: string[];
  gateway?: string;
  probe: string;
  target: string;
  status: string;
  code: string;
  needs?: 'absent' | 'nla' | 'filtered' | 'dns';
}

const ROWS: Row[] = [
  {
    fault: 'healthy xrdp: TLS selected',
    hosts: ['rdp-ok.lab'],
    probe: 'rdp',
    target: 'rdp-ok.lab:3389',
    status: 'ok',
    code: 'RDP_NEG_TLS',
  },
  {
    fault: 'xrdp self-signed certificate',
    hosts: ['rdp-ok.lab'],
    probe: 'tls',
    target: 'rdp-ok.lab:3389',
    status: 'warn',
    code: 'TLS_CERT_SELF_SIGNED',
  },
  {
    fault: 'TLS-only xrdp still answers TLS',
    hosts: ['rdp-tlsonly.lab'],
    probe: 'rdp',
    target: 'rdp-tlsonly.lab:3389',
    status: 'ok',
    code: 'RDP_NEG_TLS',
  },
  {
    fault: 'standard RDP security only (xrdp quirk: RSP RDP, not FAILURE)',
    hosts: ['rdp-rdponly.lab'],
    probe: 'rdp',
    target: 'rdp-rdponly.lab:3389',
    status: 'warn',
    code: 'RDP_NEG_LEGACY_RDP',
  },
  {
    fault: 'no TLS on a standard-RDP server',
    hosts: ['rdp-rdponly.lab'],
    probe: 'tls',
    target: 'rdp-rdponly.lab:3389',
    status: 'skipped',
    code: 'TLS_NOT_OFFERED',
  },
  {
    fault: 'NLA server selects CredSSP',
    hosts: ['rdp-nla.lab'],
    probe: 'rdp',
    target: 'rdp-nla.lab:3389',
    status: 'ok',
    code: 'RDP_NEG_NLA',
    needs: 'nla',
  },
  {
    fault: 'TLS inside CredSSP: the shadow server names itself, not the target',
    hosts: ['rdp-nla.lab'],
    probe: 'tls',
    target: 'rdp-nla.lab:3389',
    status: 'warn',
    code: 'TLS_CERT_NAME_MISMATCH',
    needs: 'nla',
  },
  {
    fault: 'closed port',
    hosts: ['closed.lab'],
    probe: 'tcp',
    target: 'closed.lab:3389',
    status: 'fail',
    code: 'TCP_REFUSED',
  },
  {
    fault: 'dropped SYN ends at our deadline, not after 134 s',
    hosts: ['filtered.lab'],
    probe: 'tcp',
    target: 'filtered.lab:3389',
    status: 'timeout',
    code: 'TCP_TIMEOUT',
    needs: 'filtered',
  },
  {
    fault: 'host in DNS but down (no ARP)',
    hosts: ['absent.lab'],
    probe: 'tcp',
    target: 'absent.lab:3389',
    status: 'fail',
    code: 'TCP_UNREACHABLE',
    needs: 'absent',
  },
  {
    fault: 'NXDOMAIN',
    hosts: ['nosuch.lab'],
    probe: 'dns',
    target: 'nosuch.lab',
    status: 'fail',
    code: 'DNS_NXDOMAIN',
  },
  {
    fault: 'name without address records',
    hosts: ['noaddr.lab'],
    probe: 'dns',
    target: 'noaddr.lab',
    status: 'fail',
    code: 'DNS_NO_ANSWER',
  },
  {
    fault: 'resolver refuses (no upstream)',
    hosts: ['outside.example'],
    probe: 'dns',
    target: 'outside.example',
    status: 'fail',
    code: 'DNS_SERVER_FAILURE',
  },
  {
    fault: 'short name completed by the search domain',
    hosts: ['rdp-ok'],
    probe: 'dns',
    target: 'rdp-ok',
    status: 'ok',
    code: 'DNS_OK',
  },
  {
    fault: 'valid certificate from the company CA',
    gateway: 'tls-ok.lab',
    probe: 'tls',
    target: 'tls-ok.lab:443',
    status: 'ok',
    code: 'TLS_OK',
  },
  {
    fault: 'a web server that is not an RD Gateway',
    gateway: 'web.lab',
    probe: 'gateway',
    target: 'web.lab:443',
    status: 'fail',
    code: 'GATEWAY_NOT_RDG',
  },
  {
    fault: 'expired certificate',
    gateway: 'tls-expired.lab',
    probe: 'tls',
    target: 'tls-expired.lab:443',
    status: 'fail',
    code: 'TLS_CERT_EXPIRED',
  },
  {
    fault: 'certificate for another name',
    gateway: 'tls-mismatch.lab',
    probe: 'tls',
    target: 'tls-mismatch.lab:443',
    status: 'fail',
    code: 'TLS_CERT_NAME_MISMATCH',
  },
  {
    fault: 'RD Gateway auth challenge',
    gateway: 'rdg.lab',
    probe: 'gateway',
    target: 'rdg.lab:443',
    status: 'ok',
    code: 'GATEWAY_OK',
  },
  {
    fault: 'intercepting proxy instead of the gateway',
    gateway: 'proxy.lab',
    probe: 'gateway',
    target: 'proxy.lab:443',
    status: 'fail',
    code: 'GATEWAY_INTERCEPTED',
  },
];

describeWithLab('probe faults through the jump', (lab) => {
  // `example` routes through the jump too, so the REFUSED case asks the site's dnsmasq (which has
  // no upstream) and never the machine's own resolver.
  const jump = labJump(lab, { extraSuffixes: ['example'] });
  const { config } = jump;
  // The real triage (runTriage: plan → probes → rank); the faults are read from its findings.
  const triage = async (hosts: string[], gateway: string | null = null) => {
    const started = performance.now();
    const report = await jump.triage(hosts, gateway);
    return { findings: report.findings, ms: performance.now() - started };
  };

  test.for(ROWS)('$fault → $probe $code', async (row) => {
    const missing = row.needs && row.needs !== 'dns' ? lab.skipped[row.needs] : undefined;
    failIfMissing(missing);
    const report = await triage(row.hosts ?? [], row.gateway ?? null);
    const finding = report.findings.find((f) => f.probe === row.probe && f.target === row.target);
    expect(finding, JSON.stringify(report.findings, null, 1)).toMatchObject({
      status: row.status,
      code: row.code,
    });
    expect(report.findings.filter((f) => f.probe === 'jump')).toEqual([]);
    // Every probe ends by its own deadline (a lost deadline once ran to the test's 30 s signal).
    expect(report.ms).toBeLessThan(config.probes.timeoutMs + 3000);
  });

  test('a hung server (SIGSTOP) is open but silent: RDP_TIMEOUT at the x224 stage', async () => {
    await resetHung(lab);
    const report = await triage(['rdp-hung.lab']);
    expect(report.findings.find((f) => f.probe === 'tcp')).toMatchObject({
      status: 'ok',
      code: 'TCP_OPEN',
    });
    expect(report.findings.find((f) => f.probe === 'rdp')).toMatchObject({
      status: 'timeout',
      code: 'RDP_TIMEOUT',
      detail: { stage: 'x224' },
    });
    // Each probe keeps its own deadline: the battery ends at the slowest deadline, not later.
    expect(report.ms).toBeLessThan(config.probes.timeoutMs + 1500);
  });

  test('the certificate facts a helpdesk agent needs are in the finding', async () => {
    const report = await triage([], 'tls-expired.lab');
    const tls = report.findings.find((f) => f.probe === 'tls');
    expect(tls?.detail).toMatchObject({
      subject: 'CN=tls-expired.lab',
      issuer: 'CN=RDP Lab Root CA',
      validTo: '2021-01-01T00:00:00.000Z',
      selfSigned: false,
      nameMatches: true,
    });
    expect(tls?.detail?.daysToExpiry).toBeLessThan(-1000);
    expect(tls?.detail?.protocol).toMatch(/^TLSv1\.[23]$/);
  });
});
