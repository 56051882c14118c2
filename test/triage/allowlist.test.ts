import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ConnectFailure, type Connector } from '../../src/probes/connector.js';
import type { Understanding } from '../../src/report/understanding.js';
import { createAllowlist, validateHostName } from '../../src/triage/allowlist.js';
import { runTriage } from '../../src/triage/run.js';

const CONFIG = parseConfig(
  [
    'inventory:',
    '  - { name: srv-fin-02, aliases: [fin2], group: finance }',
    '  - { name: lab-box, address: 127.0.0.1 }',
    '  - { name: metadata-host, address: 169.254.169.254 }',
    'allow:',
    '  suffixes: [corp.example]',
    '  cidrs: [10.20.0.0/16, "fd00:20::/32"]',
    '  resolveToCheck: true',
    'deny:',
    '  suffixes: [dc.corp.example]',
    '  cidrs: [10.20.99.0/24]',
  ].join('\n'),
  'test.yaml',
);
const allowlist = createAllowlist(CONFIG);

describe('checkName', () => {
  test.for([
    // [name, verdict, reason fragment]
    ['srv-fin-02', 'allow', 'inventory'],
    ['FIN2', 'allow', 'inventory'],
    ['srv-fin-02.', 'allow', 'inventory'],
    ['web.corp.example', 'allow', 'suffix'],
    ['corp.example', 'allow', 'suffix'],
    ['dc01.dc.corp.example', 'deny', 'denied suffix'],
    ['evilcorp.example', 'resolve', 'resolves'],
    ['somewhere.else', 'resolve', 'resolves'],
    ['10.20.1.5', 'allow', 'allowed range'],
    ['10.20.99.5', 'deny', 'deny.cidrs'],
    ['10.21.0.1', 'deny', 'outside'],
    ['127.0.0.1', 'deny', 'outside'],
    ['[::ffff:127.0.0.1]', 'deny', 'outside'],
    ['::ffff:10.20.1.5', 'allow', 'allowed range'],
    ['::ffff:a14:6305', 'deny', 'deny.cidrs'], // 10.20.99.5 in hex-mapped form
    ['fd00:20::5', 'allow', 'allowed range'],
    ['fe80::1%eth0', 'deny', 'not an IP'],
    ['2130706433', 'deny', 'unusual notation'],
    ['0x7f.1', 'deny', 'unusual notation'],
    ['0x7f000001', 'deny', 'unusual notation'],
    ['0177.0.0.1', 'deny', 'unusual notation'],
    ['10.20.1', 'deny', 'unusual notation'],
    ['host.123', 'deny', 'unusual notation'],
    ['-oProxyCommand=sh', 'deny', 'not a valid host name'],
    ['srv;reboot', 'deny', 'not a valid host name'],
    ['$(id).corp.example', 'deny', 'not a valid host name'],
    ['`id`.corp.example', 'deny', 'not a valid host name'],
    ['srv\nfin', 'deny', 'not a valid host name'],
    ['srv-fin-о2', 'deny', 'ASCII'], // Cyrillic о
    ['web．corp.example', 'deny', 'ASCII'], // fullwidth dot
    ['a'.repeat(10_000), 'deny', 'longer than 253'],
    [`${'a'.repeat(64)}.corp.example`, 'deny', 'not a valid host name'],
    ['', 'deny', 'empty'],
  ] as const)('%s → %s', ([name, verdict, reason]) => {
    const result = allowlist.checkName(name);
    expect(result.verdict).toBe(verdict);
    expect(result.reason).toContain(reason);
  });
});

describe('checkAddress', () => {
  test.for([
    // [address, how, allowed, reason fragment]
    ['10.20.1.5', 'range', true, 'allowed range'],
    ['10.20.99.1', 'range', false, 'deny.cidrs'],
    ['10.20.99.1', 'name', false, 'deny.cidrs'],
    ['192.0.2.10', 'range', false, 'outside'],
    ['192.0.2.10', 'name', true, 'allowed name'],
    ['127.0.0.1', 'name', false, 'loopback'],
    ['::1', 'name', false, 'loopback'],
    ['::ffff:127.0.0.1', 'name', false, 'loopback'],
    ['169.254.169.254', 'name', false, 'metadata'],
    ['0.0.0.0', 'name', false, 'this network'],
    ['224.0.0.1', 'name', false, 'multicast'],
    ['fe80::1', 'name', false, 'link-local'],
    ['not-an-ip', 'name', false, 'not an IP'],
  ] as const)('%s (%s) → %s', ([address, how, allowed, reason]) => {
    const result = allowlist.checkAddress(address, how);
    expect(result.allowed).toBe(allowed);
    expect(result.reason).toContain(reason);
  });

  test('loopback is allowed when allow.cidrs names it (the embedded default)', () => {
    const lab = createAllowlist(parseConfig('', 'empty.yaml'));
    expect(lab.checkAddress('127.0.0.1', 'name').allowed).toBe(true);
    expect(lab.checkName('127.0.0.1').verdict).toBe('allow');
  });
});

describe('names no rule allows are not looked up unless allow.resolveToCheck is on', () => {
  const strict = parseConfig(
    ['allow:', '  suffixes: [corp.example]', '  cidrs: [10.20.0.0/16]'].join('\n'),
    'strict.yaml',
  );

  test('checkName refuses them with the rule that decided', () => {
    const verdict = createAllowlist(strict).checkName('evilcorp.example');
    expect(verdict.verdict).toBe('deny');
    expect(verdict.reason).toContain('allow.resolveToCheck');
    expect(createAllowlist(strict).checkName('web.corp.example').verdict).toBe('allow');
  });

  test('resolveToCheck without any allow.cidrs still looks nothing up', () => {
    const noRanges = parseConfig('allow:\n  cidrs: []\n  resolveToCheck: true\n', 'x.yaml');
    expect(createAllowlist(noRanges).checkName('somewhere.else').verdict).toBe('deny');
  });

  test('a triage of such a name makes no lookup, and the reply says why it was not probed', async () => {
    const looked: string[] = [];
    const report = await runTriage(
      {
        intent: 'rdp_failure',
        confidence: 0.9,
        codes: [],
        hosts: [{ name: 'leak-me.attacker.example', kind: 'fqdn' }],
        gateway: null,
        symptoms: [],
      },
      {
        config: strict,
        allowlist: createAllowlist(strict),
        connectorFor: () => ({
          label: 'recording',
          open: async () => {
            throw new ConnectFailure('refused', 'refused');
          },
        }),
        resolve: async (name) => {
          looked.push(name);
          return ['10.20.1.1'];
        },
      },
      { signal: AbortSignal.timeout(5000) },
    );
    expect(looked).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.refusals).toEqual([
      { target: 'leak-me.attacker.example', reason: expect.stringContaining('not looked up') },
    ]);
  });
});

test('groupOf names the inventory group or ungrouped', () => {
  expect(allowlist.groupOf('FIN2')).toBe('finance');
  expect(allowlist.groupOf('lab-box')).toBe('ungrouped');
  expect(allowlist.groupOf('web.corp.example')).toBe('ungrouped');
});

test('validateHostName accepts ordinary names', () => {
  for (const name of ['srv-fin-02', 'build_agent-7.corp.example', 'rdg.corp.example.', 'a1']) {
    expect(validateHostName(name)).toBeNull();
  }
});

// The resolved addresses decide, whatever the name looked like: a resolver under an attacker's
// control (DNS rebinding) must not steer a probe into a forbidden range.
describe('runTriage refuses names that resolve to forbidden addresses', () => {
  const understandingFor = (host: string): Understanding => ({
    intent: 'rdp_failure',
    confidence: 0.9,
    codes: [],
    hosts: [{ name: host, kind: host.includes('.') ? 'fqdn' : 'short' }],
    gateway: null,
    symptoms: [],
  });

  async function triage(host: string, answers: string[]) {
    const opened: string[] = [];
    const connector: Connector = {
      label: 'recording',
      open: async (target, port) => {
        opened.push(`${target}:${port}`);
        throw new ConnectFailure('refused', 'connection refused');
      },
    };
    const report = await runTriage(
      understandingFor(host),
      {
        config: CONFIG,
        allowlist,
        connectorFor: () => connector,
        resolve: async () => answers,
      },
      { signal: AbortSignal.timeout(5000) },
    );
    return { report, opened };
  }

  test.for([
    // [host, resolver answers, refused?, reason fragment]
    ['web.corp.example', ['10.20.99.7'], true, 'deny.cidrs'],
    ['web.corp.example', ['10.20.1.7', '127.0.0.1'], true, 'loopback'],
    ['web.corp.example', ['169.254.169.254'], true, 'metadata'],
    ['fin2', ['::ffff:127.0.0.1'], true, 'loopback'],
    ['rebind.example', ['10.20.1.7', '192.0.2.1'], true, 'outside'],
    ['rebind.example', ['10.20.99.1'], true, 'deny.cidrs'],
    ['web.corp.example', ['10.20.1.7'], false, ''],
    ['rebind.example', ['10.20.1.8'], false, ''],
    ['web.corp.example', ['192.0.2.44'], false, ''],
  ] as const)('%s → %j refused=%s', async ([host, answers, refused, reason]) => {
    const { report, opened } = await triage(host, [...answers]);
    if (refused) {
      expect(opened).toEqual([]);
      expect(report.refusals).toHaveLength(1);
      expect(report.refusals[0]?.reason).toContain(reason);
    } else {
      expect(report.refusals).toEqual([]);
      expect(opened.length).toBeGreaterThan(0);
      expect(opened.every((o) => o.startsWith(answers[0] ?? '?'))).toBe(true);
    }
  });

  test('an inventory address in a special range is refused', async () => {
    const { report, opened } = await triage('metadata-host', []);
    expect(opened).toEqual([]);
    expect(report.refusals[0]?.reason).toContain('metadata');
  });

  test('a port outside the configured RDP ports is refused, not probed', async () => {
    const opened: string[] = [];
    const report = await runTriage(
      { ...understandingFor('srv-fin-02'), hosts: [{ name: 'srv-fin-02', kind: 'short', port: 22 }] },
      {
        config: CONFIG,
        allowlist,
        connectorFor: () => ({
          label: 'recording',
          open: async (h, p) => {
            opened.push(`${h}:${p}`);
            throw new ConnectFailure('refused', 'refused');
          },
        }),
        resolve: async () => ['10.20.1.1'],
      },
      { signal: AbortSignal.timeout(5000) },
    );
    expect(opened).toEqual([]);
    expect(report.refusals[0]).toMatchObject({
      target: 'srv-fin-02:22',
      reason: expect.stringContaining('port 22'),
    });
  });
});
