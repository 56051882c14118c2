import { describe, expect, test } from 'vitest';
import { createAccessGate } from '../../src/access/access-gate.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Understanding } from '../../src/report/understanding.js';
import { createAllowlist } from '../../src/triage/allowlist.js';

const YAML = [
  'inventory:',
  '  - { name: srv-fin-02, group: finance }',
  '  - { name: srv-fin-03, group: finance }',
  '  - { name: lab-1, group: lab }',
  '  - { name: lab-2, group: lab }',
  '  - { name: lab-3, group: lab }',
  'access:',
  '  roles:',
  '    - { name: helpdesk, groups: [S0TRIAGE], hostGroups: ["*"] }',
  '    - { name: everyone, users: ["*"], hostGroups: [lab] }',
  'rateLimits:',
  '  perUser: { probesPerMinute: 4, concurrentTriages: 1 }',
  '  perChannel: { probesPerMinute: 6, concurrentTriages: 2 }',
  'probes: { maxHostsPerMessage: 3 }',
].join('\n');

function setup(extra = '') {
  let now = 5_000_000;
  const config = parseConfig(`${YAML}\n${extra}`, 'gate.yaml');
  const gate = createAccessGate({
    config,
    allowlist: createAllowlist(config),
    groupsOf: async ({ user }) => (user === 'UHELP' ? ['S0TRIAGE'] : []),
    now: () => now,
  });
  return { gate, tick: (ms: number) => (now += ms) };
}

const asking = (...hosts: string[]): Understanding => ({
  intent: 'rdp_failure',
  confidence: 0.9,
  codes: [{ value: '0x904', role: 'disconnect' }],
  hosts: hosts.map((name) => ({ name, kind: 'short' as const })),
  gateway: null,
  symptoms: [],
});
const slack = (user: string, channel = 'C1') => ({ platform: 'slack', user, channel });
const probed = (u: Understanding) => u.hosts.map((h) => h.name);

describe('roles', () => {
  test('a group member may probe every group', async () => {
    const { gate } = setup();
    const decision = await gate.admit(slack('UHELP'), asking('srv-fin-02', 'lab-1'));
    expect(probed(decision.understanding)).toEqual(['srv-fin-02', 'lab-1']);
    expect(decision.refusals).toEqual([]);
    expect(decision.roles).toEqual(['helpdesk', 'everyone']);
  });

  test('others probe lab hosts only; finance is refused with the reason, and the codes stay', async () => {
    const { gate } = setup();
    const decision = await gate.admit(slack('U2'), asking('srv-fin-02', 'lab-1'));
    expect(probed(decision.understanding)).toEqual(['lab-1']);
    expect(decision.understanding.codes).toEqual([{ value: '0x904', role: 'disconnect' }]);
    expect(decision.refusals).toEqual([
      { target: 'srv-fin-02', reason: 'your roles (everyone) may not probe finance hosts' },
    ]);
  });

  test('someone in no role gets a knowledge-base-only answer with a refusal per host', async () => {
    const config = 'access:\n  roles:\n    - { name: helpdesk, users: [UHELP], hostGroups: ["*"] }';
    const gate = createAccessGate({
      config: parseConfig(config, 'gate.yaml'),
      allowlist: createAllowlist(parseConfig(config, 'gate.yaml')),
    });
    const decision = await gate.admit(slack('U9'), asking('127.0.0.1'));
    expect(probed(decision.understanding)).toEqual([]);
    expect(decision.refusals[0]?.reason).toMatch(/not in a role that may trigger probes/);
  });

  test('a failing group lookup counts as no group', async () => {
    const config = parseConfig(YAML, 'gate.yaml');
    const gate = createAccessGate({
      config,
      allowlist: createAllowlist(config),
      groupsOf: async () => {
        throw new Error('usergroups.users.list: ratelimited');
      },
    });
    const decision = await gate.admit(slack('UHELP'), asking('srv-fin-02'));
    expect(decision.refusals).toHaveLength(1);
    // The user is told why, not just "you are not in a role".
    expect(decision.refusals[0]?.reason).toBe(
      'your roles (everyone) may not probe finance hosts (your group membership could not be checked just now — try again in a minute)',
    );
  });
});

describe('rate limits', () => {
  test('per user: probes per minute, then "try again in N s"', async () => {
    const { gate, tick } = setup();
    const first = await gate.admit(slack('UHELP'), asking('lab-1', 'lab-2', 'lab-3'));
    first.release();
    expect(probed(first.understanding)).toHaveLength(3);
    tick(20_000);
    const second = await gate.admit(slack('UHELP'), asking('lab-1', 'lab-2'));
    second.release();
    expect(probed(second.understanding)).toEqual(['lab-1']);
    expect(second.limited).toBe(true);
    expect(second.refusals).toEqual([
      { target: 'lab-2', reason: 'rate limit of 4 probes per minute per person reached — try again in 40 s' },
    ]);
    tick(40_000);
    const third = await gate.admit(slack('UHELP'), asking('lab-2'));
    expect(probed(third.understanding)).toEqual(['lab-2']);
  });

  test('per channel: other users in the same channel share its budget', async () => {
    const { gate, tick } = setup();
    for (const user of ['UA', 'UB']) {
      const d = await gate.admit(slack(user, 'CBUSY'), asking('lab-1', 'lab-2', 'lab-3'));
      d.release();
      tick(1_000);
    }
    const third = await gate.admit(slack('UC', 'CBUSY'), asking('lab-1'));
    expect(probed(third.understanding)).toEqual([]);
    expect(third.refusals[0]?.reason).toBe(
      'rate limit of 6 probes per minute in this channel reached — try again in 58 s',
    );
    const elsewhere = await gate.admit(slack('UC', 'CQUIET'), asking('lab-1'));
    expect(probed(elsewhere.understanding)).toEqual(['lab-1']);
  });

  test('concurrent triages per user: the second waits for the first', async () => {
    const { gate } = setup();
    const running = await gate.admit(slack('U1'), asking('lab-1'));
    const second = await gate.admit(slack('U1'), asking('lab-2'));
    expect(probed(second.understanding)).toEqual([]);
    expect(second.refusals[0]?.reason).toMatch(/already have 1 triage\(s\) running/);
    running.release();
    running.release(); // idempotent
    const third = await gate.admit(slack('U1'), asking('lab-2'));
    expect(probed(third.understanding)).toEqual(['lab-2']);
  });

  test('concurrent triages per channel', async () => {
    const { gate } = setup();
    await gate.admit(slack('U1', 'C7'), asking('lab-1'));
    await gate.admit(slack('U2', 'C7'), asking('lab-1'));
    const third = await gate.admit(slack('U3', 'C7'), asking('lab-1'));
    expect(third.refusals[0]?.reason).toMatch(/this channel already has 2 triage\(s\) running/);
  });

  test('hosts beyond the per-message limit use no budget (plan() refuses them)', async () => {
    const { gate } = setup();
    const decision = await gate.admit(slack('UHELP'), asking('lab-1', 'lab-2', 'lab-3', 'srv-fin-02'));
    decision.release();
    expect(probed(decision.understanding)).toEqual(['lab-1', 'lab-2', 'lab-3', 'srv-fin-02']);
    const next = await gate.admit(slack('UHELP'), asking('lab-1'));
    expect(probed(next.understanding)).toEqual(['lab-1']);
  });

  test('the CLI and console are exempt by default', async () => {
    const { gate } = setup();
    for (let i = 0; i < 5; i += 1) {
      const d = await gate.admit(
        { platform: 'console', user: 'ops', channel: 'console' },
        asking('lab-1', 'lab-2'),
      );
      expect(probed(d.understanding)).toEqual(['lab-1', 'lab-2']);
    }
  });

  test('a message without hosts uses no budget and is never refused', async () => {
    const { gate } = setup();
    for (let i = 0; i < 10; i += 1) {
      const d = await gate.admit(slack('U1'), asking());
      expect(d.refusals).toEqual([]);
    }
  });
});
