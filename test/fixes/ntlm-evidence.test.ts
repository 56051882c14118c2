import { describe, expect, test } from 'vitest';
import { rank } from '../../src/fixes/rank.js';
import type { Finding } from '../../src/report/finding.js';
import { toFinding, toUnderstanding } from './rank-fixtures.js';

// What the machine's own account of itself (the ntlm probe: names and clock from its NTLM
// CHALLENGE) does to the ranking: data in src/fixes/data/rules.yaml.
const NLA_SERVER = ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_NLA', 'RDP_NLA_REQUIRED'].map((code) => ({
  ...toFinding(code),
  status: 'ok' as const,
}));

const ntlm = (code: string, status: Finding['status'], summary: string): Finding => ({
  probe: 'ntlm',
  target: 'srv-fin-02:3389',
  status,
  code,
  summary,
  ms: 40,
});

const top3 = (extra: Finding[], spec: Parameters<typeof toUnderstanding>[0] = {}) =>
  rank(toUnderstanding(spec), [...NLA_SERVER, ...extra])
    .slice(0, 3)
    .map((fix) => fix.id);

describe('the ntlm finding in the ranking', () => {
  test.for([
    { desc: 'no code', spec: {} },
    { desc: '"the credentials did not work"', spec: { symptoms: ['credentials'] } },
    { desc: '0x904', spec: { codes: ['0x904'] } },
  ])('a clock 20 minutes off puts the time fix in the top 3: $desc', ({ spec }) => {
    const skew = ntlm('NTLM_CLOCK_SKEW', 'fail', 'srv-fin-02:3389 answers as SRV-FIN-02, clock 20 min ahead');
    expect(top3([skew], spec)).toContain('resync-time');
    expect(top3([], spec)).not.toContain('resync-time');
  });

  test('another machine answering for the name puts the DNS check first, above the certificate', () => {
    const certificate = { ...toFinding('TLS_CERT_NAME_MISMATCH'), status: 'warn' as const };
    const mismatch = ntlm(
      'NTLM_NAME_MISMATCH',
      'warn',
      'srv-fin-02:3389 answers as SRV-OLD-07: not srv-fin-02',
    );
    expect(top3([certificate, mismatch])[0]).toBe('check-dns-resolution');
    expect(top3([certificate])[0]).not.toBe('check-dns-resolution');
  });

  test('an ordinary answer (names match, clock in step) changes nothing', () => {
    const info = ntlm('NTLM_INFO', 'ok', 'srv-fin-02:3389 answers as srv-fin-02, Windows Server 2019');
    expect(top3([info])).toEqual(top3([]));
  });
});
