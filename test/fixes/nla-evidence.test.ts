import { describe, expect, test } from 'vitest';
import { rank } from '../../src/fixes/rank.js';
import type { Finding } from '../../src/report/finding.js';
import { toFinding, toUnderstanding, type UnderstandingSpec } from './rank-fixtures.js';

// What "NLA required" / "NLA optional" (the rdp probe's TLS-only negotiation, reported when the
// server selected CredSSP) does to the ranking: data in src/fixes/data/rules.yaml.
const NLA_SERVER = ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_NLA'].map((code) => ({
  ...toFinding(code),
  status: 'ok' as const,
}));

function check(code: 'RDP_NLA_REQUIRED' | 'RDP_NLA_OPTIONAL' | 'RDP_NLA_UNKNOWN'): Finding {
  const summary = {
    RDP_NLA_REQUIRED:
      'srv-fin-02:3389 requires Network Level Authentication: a client without NLA (CredSSP) is refused',
    RDP_NLA_OPTIONAL:
      'srv-fin-02:3389 does not require Network Level Authentication: a client without NLA is let in too (with TLS)',
    RDP_NLA_UNKNOWN: 'Could not tell whether srv-fin-02:3389 requires Network Level Authentication',
  }[code];
  return {
    probe: 'rdp',
    target: 'srv-fin-02:3389',
    status: code === 'RDP_NLA_UNKNOWN' ? 'skipped' : 'ok',
    code,
    summary,
    ms: 6,
  };
}

const ids = (spec: UnderstandingSpec, extra: Finding[]) =>
  rank(toUnderstanding(spec), [...NLA_SERVER, ...extra]).map((fix) => fix.id);

describe('NLA required / optional in the ranking', () => {
  test.for([
    { desc: '"requires NLA, which this client does not support" (0xb09)', spec: { codes: ['0xb09'] } },
    { desc: 'a thin client failing with 0x904', spec: { codes: ['0x904'] } },
    { desc: 'an NLA dialog', spec: { symptoms: ['nla_required'] } },
    { desc: 'no code at all', spec: {} },
  ])('NLA required raises "turn on NLA in the client": $desc', ({ spec }) => {
    const before = ids(spec, []).indexOf('enable-nla-on-client');
    const after = ids(spec, [check('RDP_NLA_REQUIRED')]);
    expect(after.slice(0, 3)).toContain('enable-nla-on-client');
    if (before >= 0) expect(after.indexOf('enable-nla-on-client')).toBeLessThan(before);
  });

  test('0xb09 with NLA required: the client fix comes first, with the probe as its reason', () => {
    const [top] = rank(toUnderstanding({ codes: ['0xb09'] }), [...NLA_SERVER, check('RDP_NLA_REQUIRED')]);
    expect(top?.id).toBe('enable-nla-on-client');
    expect(top?.reasons.join('\n')).toMatch(
      /requires Network Level Authentication.*turned away before the logon screen/,
    );
  });

  test('NLA optional rules out "the client cannot do NLA" and "turn NLA off on the server"', () => {
    for (const spec of [{ symptoms: ['nla_required'] }, { codes: ['0xb09'] }]) {
      const without = ids(spec, []);
      const optional = ids(spec, [check('RDP_NLA_OPTIONAL')]);
      const NLA_FIXES = ['enable-nla-on-client', 'temporarily-disable-nla'];
      expect(without.slice(0, 3).some((id) => NLA_FIXES.includes(id))).toBe(true);
      expect(optional.slice(0, 5)).not.toContain('enable-nla-on-client');
      expect(optional.slice(0, 5)).not.toContain('temporarily-disable-nla');
    }
  });

  test('NLA required keeps the domain-trust explanation of the NLA dialog first (its workaround second)', () => {
    const fixes = ids({ symptoms: ['nla_required', 'domain controller cannot be contacted'] }, [
      check('RDP_NLA_REQUIRED'),
    ]);
    expect(fixes[0]).toBe('repair-secure-channel');
    expect(fixes.slice(0, 3)).toEqual(
      expect.arrayContaining(['temporarily-disable-nla', 'enable-nla-on-client']),
    );
  });

  test('a check that could not tell changes nothing', () => {
    // (The "all N probe results are healthy" reason counts it; order and scores stay.)
    const spec = { codes: ['0x904'], symptoms: ['nla_required'] };
    const scores = (findings: Finding[]) =>
      rank(toUnderstanding(spec), findings).map((f) => `${f.id} ${f.score}`);
    expect(scores([...NLA_SERVER, check('RDP_NLA_UNKNOWN')])).toEqual(scores(NLA_SERVER));
  });
});
