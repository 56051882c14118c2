import { describe, expect, test } from 'vitest';
import { rank } from '../../src/fixes/rank.js';
import type { FindingCode } from '../../src/probes/finding-codes.js';
import type { Intent } from '../../src/report/understanding.js';
import { toFinding, toUnderstanding } from './rank-fixtures.js';

// (codes, findings, symptoms) → the fix that must come first. Built from rdp-facts.md: the fix
// column of tables A–D and §8 (split F-entries: the first step of the entry), the pasted messages
// of §9, the probe evidence of §6 and the 0x904 guide. Symptom ids are the intents' (symptoms.yaml).
// Codes: "0x904" = disconnect, "ext:0x7" = extended, "info:0x112f" = errorInfo, "gw:…" = gateway,
// "name:Foo" = a code known by name only.

interface Row {
  desc: string;
  codes?: string[];
  findings?: (FindingCode | `gw:${FindingCode}`)[];
  symptoms?: string[];
  intent?: Intent;
  gateway?: string;
  top: string;
}

const ROWS: Row[] = [
  // Table A, no probe result (the no-probe case: knowledge base only)
  { desc: 'socket connect failed', codes: ['0x204'], top: 'test-rdp-port' },
  { desc: 'connection timed out', codes: ['0x108'], top: 'test-rdp-port' },
  { desc: 'DNS lookup failed', codes: ['0x104'], top: 'check-dns-resolution' },
  { desc: 'host not found', codes: ['0x208'], top: 'check-dns-resolution' },
  { desc: 'DNS lookup failed 2', codes: ['0x508'], top: 'check-dns-resolution' },
  { desc: 'gethostbyname failed', codes: ['0x604'], top: 'check-dns-resolution' },
  { desc: 'invalid IP address', codes: ['0x308'], top: 'connect-by-ip-or-fqdn' },
  { desc: 'security data invalid', codes: ['0x406'], top: 'recreate-rdp-certificate' },
  { desc: 'internal security error', codes: ['0x906'], top: 'recreate-rdp-certificate' },
  { desc: 'server certificate unpack error', codes: ['0x706'], top: 'recreate-rdp-certificate' },
  { desc: 'invalid encryption', codes: ['0x506'], top: 'check-fips-encryption' },
  { desc: 'FIPS level unsupported', codes: ['0xe06'], top: 'check-fips-encryption' },
  { desc: 'logon failure', codes: ['0x807'], top: 'check-username-format' },
  { desc: 'no such user', codes: ['0xa07'], top: 'check-username-format' },
  { desc: 'account locked out', codes: ['0xd07'], top: 'check-account-state' },
  { desc: 'account disabled', codes: ['0xb07'], top: 'check-account-state' },
  { desc: 'password expired', codes: ['0xf07'], top: 'change-expired-password' },
  { desc: 'password must change', codes: ['0x1207'], top: 'change-expired-password' },
  { desc: 'delegation policy', codes: ['0x1607'], top: 'credential-delegation-policy' },
  { desc: 'no authenticating authority', codes: ['0x1807'], top: 'repair-secure-channel' },
  { desc: 'certificate expired (client side)', codes: ['0x1b07'], top: 'recreate-rdp-certificate' },
  { desc: 'time difference', codes: ['0x1d07'], top: 'resync-time' },
  { desc: 'smart card wrong PIN', codes: ['0x1c07'], top: 'smartcard-checks' },
  { desc: 'fresh credentials required', codes: ['0x2107'], top: 'clear-saved-credentials' },
  { desc: 'licensing failed', codes: ['0x808'], top: 'rd-licensing-diagnose' },
  { desc: 'licensing timeout', codes: ['0x908'], top: 'rd-licensing-diagnose' },
  { desc: 'console session in progress', codes: ['0x708'], top: 'loopback-console' },
  { desc: 'client lacks NLA', codes: ['0xb09'], top: 'enable-nla-on-client' },
  { desc: 'local disconnect is not an error', codes: ['0x1'], top: 'no-action-needed' },
  { desc: 'socket closed, no extended code', codes: ['0x904'], top: 'test-rdp-port' },
  // Table B / C
  {
    desc: '0x904 + server denied: read the server logs (F24 for ext 0x7)',
    codes: ['0x904', 'ext:0x7'],
    top: 'read-server-logs',
  },
  { desc: 'no licence server', codes: ['0x3', 'ext:0x101'], top: 'rd-licensing-diagnose' },
  { desc: 'insufficient privileges', codes: ['0x3', 'ext:0x9'], top: 'add-to-remote-desktop-users' },
  { desc: 'idle timeout', codes: ['0x3', 'ext:0x3'], top: 'session-time-limits' },
  { desc: 'FIPS denial', codes: ['ext:0x8'], top: 'check-fips-encryption' },
  { desc: 'graphics subsystem failed', codes: ['info:0x112f'], top: 'graphics-reduce-settings' },
  { desc: 'broker: no free endpoint', codes: ['info:0x408'], top: 'broker-check' },
  { desc: 'protocol range start', codes: ['ext:0x1000'], top: 'read-server-logs' },
  // Table D and E_PROXY
  {
    desc: 'error on the remote computer behind the gateway',
    codes: ['gw:0x3000008'],
    top: 'gateway-target-reachability',
  },
  {
    desc: 'pasted dialog: 0x3000008 with extended 0x0',
    codes: ['gw:0x3000008', 'ext:0x0'],
    top: 'gateway-target-reachability',
  },
  { desc: 'gateway certificate name mismatch', codes: ['gw:0x3000003'], top: 'gateway-certificate' },
  { desc: 'gateway certificate expired', codes: ['gw:0x3000007'], top: 'gateway-certificate' },
  { desc: 'not in the RD RAP', codes: ['gw:0x300001b'], top: 'gateway-check-cap-rap' },
  { desc: 'not authorised by the RD CAP', codes: ['gw:0x300001c'], top: 'gateway-check-cap-rap' },
  { desc: 'web proxy requires authentication', codes: ['gw:0x3000020'], top: 'web-proxy-settings' },
  { desc: 'gateway temporarily unavailable', codes: ['gw:0x300000d'], top: 'gateway-service-health' },
  { desc: 'no resources available (AVD)', codes: ['gw:0x3000046'], top: 'avd-host-pool-health' },
  { desc: 'error accessing resource (AVD)', codes: ['gw:0x3000047'], top: 'avd-host-pool-health' },
  { desc: 'E_PROXY_TS_CONNECTFAILED', codes: ['gw:0x800759dd'], top: 'gateway-target-reachability' },
  { desc: 'E_PROXY_RAP_ACCESSDENIED', codes: ['gw:0x800759da'], top: 'gateway-check-cap-rap' },
  // §8 AVD / Windows App
  { desc: 'connection information certificate expired', codes: ['0x1608'], top: 'reset-windows-app-client' },
  {
    desc: 'no healthy session host',
    codes: ['name:ConnectionFailedNoHealthyRdshAvailable'],
    top: 'avd-host-pool-health',
  },
  {
    desc: 'user not authorised in AVD',
    codes: ['name:ConnectionFailedUserNotAuthorized'],
    top: 'avd-user-assignment',
  },
  {
    desc: 'AD trust failure on the session host',
    codes: ['name:ConnectionFailedAdTrustedRelationshipFailure'],
    top: 'repair-secure-channel',
  },
  // Unknown codes: say so, decode what we can, generic first steps
  { desc: '0x516 read as decimal 516 = 0x204', codes: ['0x516'], top: 'test-rdp-port' },
  { desc: 'unknown gateway-family code', codes: ['gw:0x3000066'], top: 'decode-code-pair' },
  { desc: 'unknown code, no family', codes: ['0x1234'], top: 'decode-code-pair' },
  // Probe evidence
  {
    desc: '0x204 + port refused',
    codes: ['0x204'],
    findings: ['DNS_OK', 'TCP_REFUSED'],
    top: 'enable-remote-desktop',
  },
  {
    desc: '0x204 + port timeout',
    codes: ['0x204'],
    findings: ['DNS_OK', 'TCP_TIMEOUT'],
    top: 'open-firewall-rdp',
  },
  {
    desc: '0x904/0x7 reported, port now refused',
    codes: ['0x904', 'ext:0x7'],
    findings: ['DNS_OK', 'TCP_REFUSED'],
    top: 'enable-remote-desktop',
  },
  { desc: 'refused without a code', findings: ['DNS_OK', 'TCP_REFUSED'], top: 'enable-remote-desktop' },
  { desc: 'host unreachable', findings: ['DNS_OK', 'TCP_UNREACHABLE'], top: 'check-host-power' },
  { desc: '0x104 + NXDOMAIN', codes: ['0x104'], findings: ['DNS_NXDOMAIN'], top: 'check-dns-resolution' },
  {
    desc: 'NXDOMAIN without a code',
    codes: ['0x904'],
    findings: ['DNS_NXDOMAIN'],
    top: 'check-dns-resolution',
  },
  {
    desc: '0x904 and all healthy: client side',
    codes: ['0x904'],
    findings: ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_NLA'],
    top: 'clear-saved-credentials',
  },
  {
    desc: 'all healthy, no code',
    findings: ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_TLS', 'TLS_OK'],
    top: 'clear-saved-credentials',
  },
  {
    desc: 'RDP certificate expired',
    findings: ['TCP_OPEN', 'RDP_NEG_TLS', 'TLS_CERT_EXPIRED'],
    top: 'recreate-rdp-certificate',
  },
  {
    desc: '0x904/0x7 + certificate expired',
    codes: ['0x904', 'ext:0x7'],
    findings: ['TCP_OPEN', 'RDP_NEG_NLA', 'TLS_CERT_EXPIRED'],
    top: 'recreate-rdp-certificate',
  },
  {
    desc: '0x904 + gateway intercepted',
    codes: ['0x904'],
    findings: ['gw:GATEWAY_INTERCEPTED'],
    gateway: 'rdg.corp.example',
    top: 'rdgateway-ssl-inspection-bypass',
  },
  {
    desc: 'gateway send error + intercepted',
    codes: ['gw:0x3000009'],
    findings: ['gw:GATEWAY_INTERCEPTED'],
    gateway: 'rdg.corp.example',
    top: 'rdgateway-ssl-inspection-bypass',
  },
  {
    desc: 'gateway certificate expired (probe)',
    codes: ['gw:0x3000007'],
    findings: ['gw:TLS_CERT_EXPIRED'],
    gateway: 'rdg.corp.example',
    top: 'gateway-certificate',
  },
  {
    desc: 'gateway certificate name mismatch (probe)',
    findings: ['gw:TLS_CERT_NAME_MISMATCH'],
    gateway: 'rdg.corp.example',
    top: 'gateway-certificate',
  },
  {
    desc: 'gateway times out',
    codes: ['gw:0x300000c'],
    findings: ['gw:GATEWAY_TIMEOUT'],
    gateway: 'rdg.corp.example',
    top: 'gateway-service-health',
  },
  {
    desc: 'host fine, gateway unreachable',
    codes: ['gw:0x3000009'],
    findings: ['TCP_OPEN', 'RDP_NEG_NLA', 'gw:GATEWAY_NOT_CONNECTED'],
    gateway: 'rdg.corp.example',
    top: 'gateway-service-health',
  },
  {
    desc: 'gateway TLS handshake fails',
    codes: ['gw:0x3000005'],
    findings: ['gw:TLS_HANDSHAKE_FAILED'],
    gateway: 'rdg.corp.example',
    top: 'gateway-certificate',
  },
  {
    desc: 'not an RD Gateway answering',
    findings: ['gw:GATEWAY_NOT_RDG'],
    gateway: 'rdg.corp.example',
    top: 'do-not-use-gateway',
  },
  {
    desc: 'HYBRID_REQUIRED_BY_SERVER',
    findings: ['TCP_OPEN', 'RDP_NEG_FAILURE_HYBRID_REQUIRED_BY_SERVER'],
    top: 'enable-nla-on-client',
  },
  {
    desc: 'HYBRID_REQUIRED + credentials rejected',
    findings: ['TCP_OPEN', 'RDP_NEG_FAILURE_HYBRID_REQUIRED_BY_SERVER'],
    symptoms: ['credentials_rejected'],
    top: 'enable-nla-on-client',
  },
  {
    desc: 'NLA + credentials rejected: NLA / DC reachability',
    findings: ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_NLA'],
    symptoms: ['credentials_rejected'],
    top: 'repair-secure-channel',
  },
  {
    desc: 'NLA + CredSSP oracle message',
    findings: ['TCP_OPEN', 'RDP_NEG_NLA'],
    symptoms: ['credssp'],
    top: 'patch-credssp-both-sides',
  },
  {
    desc: 'SSL_CERT_NOT_ON_SERVER',
    findings: ['TCP_OPEN', 'RDP_NEG_FAILURE_SSL_CERT_NOT_ON_SERVER'],
    top: 'recreate-rdp-certificate',
  },
  {
    desc: '0x904/0x7 + SSL_NOT_ALLOWED (bastion case)',
    codes: ['0x904', 'ext:0x7'],
    findings: ['TCP_OPEN', 'RDP_NEG_FAILURE_SSL_NOT_ALLOWED_BY_SERVER'],
    top: 'check-negotiation-settings',
  },
  {
    desc: '0x904/0x7 + legacy RDP security',
    codes: ['0x904', 'ext:0x7'],
    findings: ['TCP_OPEN', 'RDP_NEG_LEGACY_RDP'],
    top: 'check-negotiation-settings',
  },
  { desc: 'something else on the port', findings: ['TCP_OPEN', 'RDP_NOT_RDP'], top: 'check-rdp-port-number' },
  {
    desc: 'TLS handshake failed',
    findings: ['TCP_OPEN', 'RDP_NEG_TLS', 'TLS_HANDSHAKE_FAILED'],
    top: 'enable-tls12-server',
  },
  {
    desc: 'certificate not yet valid',
    findings: ['TCP_OPEN', 'RDP_NEG_TLS', 'TLS_CERT_NOT_YET_VALID'],
    top: 'resync-time',
  },
  // Symptoms without codes (§9 pasted messages, intents' symptom ids)
  { desc: 'credentials did not work', symptoms: ['credentials_rejected'], top: 'clear-saved-credentials' },
  { desc: 'CredSSP encryption oracle', symptoms: ['credssp'], top: 'patch-credssp-both-sides' },
  { desc: 'black screen then it closes', symptoms: ['black_screen'], top: 'graphics-reduce-settings' },
  { desc: 'disconnects every 10 minutes', symptoms: ['periodic_disconnect'], top: 'session-time-limits' },
  { desc: 'slow session', symptoms: ['slow'], intent: 'rdp_slow_or_quality', top: 'force-tcp-disable-udp' },
  { desc: 'certificate warning', symptoms: ['certificate_warning'], top: 'recreate-rdp-certificate' },
  { desc: 'licensing message', symptoms: ['licensing'], top: 'rd-licensing-diagnose' },
  { desc: 'time or date difference', symptoms: ['time_difference'], top: 'resync-time' },
  {
    desc: 'internal error that works after a minute',
    symptoms: ['internal_error', 'works after a minute'],
    top: 'disable-audio-internal-error',
  },
  { desc: 'computer not found', symptoms: ['not_found'], top: 'check-dns-resolution' },
  { desc: 'console already in use', symptoms: ['console_in_use'], top: 'loopback-console' },
  { desc: 'nothing at all: generic first steps', top: 'test-rdp-port' },
];

describe('rank: top-1 fix from the reference', () => {
  test('the table is big enough', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    expect(ROWS.filter((row) => (row.findings ?? []).length === 0).length).toBeGreaterThanOrEqual(30);
  });

  test.for(ROWS)('$desc → $top', (row) => {
    const fixes = rank(
      toUnderstanding(row),
      (row.findings ?? []).map((f) => toFinding(f, row.gateway)),
    );
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.map((fix) => `${fix.id} ${fix.score}`).slice(0, 3)[0]).toMatch(new RegExp(`^${row.top} `));
    for (const fix of fixes) expect(fix.reasons.length).toBeGreaterThan(0);
  });
});
