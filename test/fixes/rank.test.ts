import { describe, expect, test } from 'vitest';
import { rank } from '../../src/fixes/rank.js';
import type { FeedbackStats } from '../../src/report/ranked-fix.js';
import { toFinding, toUnderstanding } from './rank-fixtures.js';

const ids = (fixes: { id: string }[]) => fixes.map((fix) => fix.id);

describe('rank: stability', () => {
  const cases = [
    { codes: ['0x904', 'ext:0x7'], findings: ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_NLA', 'TLS_CERT_EXPIRED'] },
    { codes: ['0x204'], findings: ['DNS_OK', 'TCP_REFUSED'] },
    {
      codes: [],
      findings: ['DNS_OK', 'TCP_OPEN', 'RDP_NEG_TLS'],
      symptoms: ['credentials_rejected', 'slow'],
    },
  ] as const;

  test.for(cases)('same input, same answer, whatever the order of findings ($codes)', (row) => {
    const understanding = toUnderstanding({
      codes: [...row.codes],
      ...('symptoms' in row && { symptoms: [...row.symptoms] }),
    });
    const findings = row.findings.map((f) => toFinding(f));
    const first = rank(understanding, findings);
    expect(rank(understanding, findings)).toEqual(first);
    expect(rank(understanding, [...findings].reverse())).toEqual(first);
  });

  test('the same finding from two targets counts once', () => {
    const understanding = toUnderstanding({ codes: ['0x204'] });
    const one = rank(understanding, [toFinding('TCP_REFUSED')]);
    const two = rank(understanding, [
      toFinding('TCP_REFUSED'),
      { ...toFinding('TCP_REFUSED'), target: 'srv-fin-03:3389' },
    ]);
    expect(two.map((f) => f.score)).toEqual(one.map((f) => f.score));
  });

  test('scores are ordered and rounded; at most 8 fixes; each with reasons and a verify step', () => {
    expect(
      rank(toUnderstanding({ codes: ['0x204'], symptoms: ['slow', 'credentials_rejected'] }), []).length,
    ).toBe(8);
    // 0x904 keeps its four guide fixes on top of the eight.
    const fixes = rank(toUnderstanding({ codes: ['0x904', 'ext:0x7'] }), []);
    expect(fixes.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < fixes.length; i++)
      expect(fixes[i - 1]?.score).toBeGreaterThanOrEqual(fixes[i]?.score ?? 0);
    for (const fix of fixes) {
      expect(fix.score).toBe(Math.round(fix.score * 100) / 100);
      expect(fix.steps.at(-1)?.text).toMatch(/^Verify: /);
      expect(fix.reasons.length).toBeGreaterThan(0);
    }
  });
});

test('fixes listed for the message’s code are kept even when stronger evidence fills the top', () => {
  const fixes = rank(toUnderstanding({ codes: ['0x904', 'ext:0x7'] }), [
    toFinding('TCP_OPEN'),
    toFinding('RDP_NEG_NLA'),
    toFinding('TLS_HANDSHAKE_FAILED'),
  ]);
  expect(fixes[0]?.id).toBe('enable-tls12-server');
  for (const id of [
    'force-tcp-disable-udp',
    'rdgateway-client-logging',
    'rdgateway-ssl-inspection-bypass',
    'clear-saved-credentials',
  ]) {
    expect(fixes.map((fix) => fix.id)).toContain(id);
  }
});

describe('rank: reasons a person can read', () => {
  test('probe evidence names the probe, the target and the time', () => {
    const [top] = rank(toUnderstanding({ codes: ['0x204'] }), [
      {
        probe: 'tcp',
        target: 'srv-fin-02:3389',
        status: 'refused',
        code: 'TCP_REFUSED',
        summary: 'TCP 3389 refused on srv-fin-02',
        ms: 4,
      },
    ]);
    expect(top?.reasons[0]).toMatch(/^TCP 3389 refused on srv-fin-02 \(probe tcp, 4 ms\)/);
  });

  test('codes are explained by name; symptoms are quoted', () => {
    const fixes = rank(toUnderstanding({ codes: ['0x904'], symptoms: ['credentials_rejected'] }), []);
    const reasons = fixes.flatMap((fix) => fix.reasons).join('\n');
    expect(reasons).toContain('Error code 0x904 (disconnectReasonAtClientWinsockFDCLOSE) points at:');
    expect(reasons).toContain('You reported "credentials rejected"');
  });

  test('an unknown code says so and decodes what it can', () => {
    const decimal = rank(toUnderstanding({ codes: ['0x516'] }), [])
      .flatMap((f) => f.reasons)
      .join('\n');
    expect(decimal).toContain(
      'Error code 0x516 is not in the knowledge base; read as decimal 516 it is 0x204',
    );
    const gateway = rank(toUnderstanding({ codes: ['gw:0x3000066'] }), [])
      .flatMap((f) => f.reasons)
      .join('\n');
    expect(gateway).toContain('RD Gateway / remote-resource family');
    const credential = rank(toUnderstanding({ codes: ['0x3307'] }), [])
      .flatMap((f) => f.reasons)
      .join('\n');
    expect(credential).toContain('credential');
    const nothing = rank(toUnderstanding({ codes: ['0x1234'] }), []);
    expect(ids(nothing)).toContain('decode-code-pair');
    expect(nothing.flatMap((f) => f.reasons).join('\n')).toContain('0x1234 is not in the knowledge base');
  });

  test('decode-code-pair carries the decimal pair of the message', () => {
    const fix = rank(toUnderstanding({ codes: ['0x1234', 'ext:0x7'] }), []).find(
      (f) => f.id === 'decode-code-pair',
    );
    expect(fix?.steps[0]?.snippet?.code).toContain('GetErrorDescription(4660, 7)');
  });
});

describe('rank: never empty for a Remote Desktop failure', () => {
  test('no code, no probe, no symptom: the generic first steps', () => {
    const fixes = rank(toUnderstanding({}), []);
    expect(ids(fixes)).toEqual([
      'test-rdp-port',
      'check-dns-resolution',
      'read-server-logs',
      'read-client-logs',
      'decode-code-pair',
    ]);
    expect(fixes[0]?.reasons[0]).toMatch(/first steps/);
  });

  test('slow-or-quality messages get an answer too; out-of-scope messages with nothing get none', () => {
    expect(rank(toUnderstanding({ intent: 'rdp_slow_or_quality' }), []).length).toBeGreaterThan(0);
    expect(rank(toUnderstanding({ intent: 'out_of_scope' }), [])).toEqual([]);
  });
});

describe('rank: feedback', () => {
  const understanding = toUnderstanding({ codes: ['0x904'] });
  const base = rank(understanding, []);
  const second = base[1]?.id as string;
  const first = base[0]?.id as string;

  test('a fix that helped for this code rises', () => {
    const stats: FeedbackStats = { '0x904': { [second]: { helped: 6, notHelped: 0 } } };
    const fixes = rank(understanding, [], stats);
    expect(fixes[0]?.id).toBe(second);
    expect(fixes[0]?.reasons.at(-1)).toBe('Feedback for 0x904: helped 6 of 6 times');
  });

  test('one "did not help" vote does not bury the top fix', () => {
    const stats: FeedbackStats = { '0x904': { [first]: { helped: 0, notHelped: 1 } } };
    expect(rank(understanding, [], stats)[0]?.id).toBe(first);
  });

  test('many "did not help" votes push a fix down, but the floor keeps it listed', () => {
    const stats: FeedbackStats = { '0x904': { [first]: { helped: 0, notHelped: 50 } } };
    const fixes = rank(understanding, [], stats);
    expect(fixes[0]?.id).not.toBe(first);
    const demoted = fixes.find((fix) => fix.id === first);
    expect(demoted?.score).toBeCloseTo((base[0]?.score ?? 0) * 0.6, 1);
  });

  test('votes for another code change nothing', () => {
    const stats: FeedbackStats = { '0x204': { [second]: { helped: 50, notHelped: 0 } } };
    expect(rank(understanding, [], stats)).toEqual(base);
  });

  test('messages without a code use the "*" bucket', () => {
    const plain = toUnderstanding({ symptoms: ['slow'] });
    const baseline = rank(plain, []);
    const target = baseline[2]?.id as string;
    const fixes = rank(plain, [], { '*': { [target]: { helped: 20, notHelped: 0 } } });
    expect(fixes.findIndex((f) => f.id === target)).toBeLessThan(2);
  });
});

describe('rank: the symptom ids the intents emit (src/intents/data/symptoms.yaml)', () => {
  test.for([
    ['black_screen', 'graphics-reduce-settings'],
    ['stuck_configuring', 'graphics-reduce-settings'],
    ['credentials_rejected', 'clear-saved-credentials'],
    ['certificate_warning', 'recreate-rdp-certificate'],
    ['credssp', 'patch-credssp-both-sides'],
    ['nla_required', 'enable-nla-on-client'],
    ['licensing', 'rd-licensing-diagnose'],
    ['internal_error', 'recreate-rdp-certificate'],
    ['protocol_error', 'graphics-reduce-settings'],
    ['time_difference', 'resync-time'],
    ['not_found', 'check-dns-resolution'],
    ['cannot_connect', 'test-rdp-port'],
    ['console_in_use', 'loopback-console'],
    ['session_limit', 'session-time-limits'],
    ['periodic_disconnect', 'session-time-limits'],
    ['slow', 'force-tcp-disable-udp'],
    ['gateway_problem', 'gateway-service-health'],
  ])('%s → %s', ([symptom, top]) => {
    const fixes = rank(toUnderstanding({ symptoms: [symptom as string] }), []);
    expect(fixes[0]?.id).toBe(top);
    expect(fixes[0]?.reasons[0]).toContain(`You reported "${(symptom as string).replaceAll('_', ' ')}"`);
  });
});
