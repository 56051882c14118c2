import { describe, expect, test } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { Understanding } from '../../src/report/understanding.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { chooseJump, plan, probeTimeouts, withProbeTimeout } from '../../src/triage/plan.js';

const jump = (name: string, routes: object, search: string[] = []) => ({
  name,
  host: '10.0.0.5',
  username: 'probe',
  privateKeyPath: '/etc/rdp-triage/id_ed25519',
  hostKeyFingerprints: ['SHA256:tp+dN+TBE5ICBZAORflK+9QGTBt63rSlgTLt229T58s'],
  routes,
  dns: { search },
});
const config = configSchema.parse({
  jumps: [
    jump('jump-eu', { suffixes: ['eu.corp.example'], cidrs: ['10.20.0.0/16'] }, ['eu.corp.example']),
    jump('jump-us', { suffixes: ['.us.corp.example'], cidrs: ['10.30.0.0/16'] }),
  ],
  inventory: [
    { name: 'srv-fin-02', address: '10.30.1.2', group: 'finance' },
    { name: 'lab-box', address: '10.20.9.9', jump: 'direct' },
  ],
  allow: { suffixes: ['corp.example'], cidrs: ['10.0.0.0/8'] },
  probes: { timeoutMs: 4000, timeouts: { rdp: 6000 } },
});
const understanding = (hosts: string[], gateway: string | null = null): Understanding => ({
  intent: 'rdp_failure',
  confidence: 1,
  codes: [],
  hosts: hosts.map((name) => ({ name, kind: 'fqdn' })),
  gateway,
  symptoms: [],
});

describe('which jump serves a target', () => {
  test.for([
    { target: 'ts01.eu.corp.example', jump: 'jump-eu' },
    { target: 'TS01.US.CORP.EXAMPLE.', jump: 'jump-us' },
    { target: '10.20.3.4', jump: 'jump-eu' },
    { target: '10.30.3.4', jump: 'jump-us' },
    { target: 'srv-fin-02', jump: 'jump-us' }, // inventory address in jump-us's CIDR
    { target: 'lab-box', jump: null }, // inventory pins direct
    { target: 'ts01', jump: 'jump-eu' }, // short name: completed by jump-eu's search domain
    { target: 'www.other.example', jump: null },
    { target: '192.168.1.1', jump: null },
  ])('$target → $jump', ({ target, jump }) => {
    const p = plan(understanding([target]), config, createAllowlist(config));
    const planned = p.targets[0];
    if (planned) expect(planned.jump).toBe(jump);
    else {
      // Not allowed at all: never probed, so no jump either.
      expect(p.refusals.map((r) => r.target)).toContain(target);
      expect(chooseJump(target, undefined, undefined, config)).toBe(jump);
    }
  });
});

describe('probes per target', () => {
  test('a host gets dns, tcp, rdp, tls and ntlm; a gateway gets tls and the RD Gateway check on 443', () => {
    const p = plan(
      understanding(['ts01.eu.corp.example'], 'rdg.eu.corp.example'),
      config,
      createAllowlist(config),
    );
    expect(p.targets.map((t) => [t.name, t.port, t.probes])).toEqual([
      ['ts01.eu.corp.example', 3389, ['dns', 'tcp', 'rdp', 'tls', 'ntlm']],
      ['rdg.eu.corp.example', 443, ['dns', 'tcp', 'tls', 'gateway']],
    ]);
  });

  test('the battery ends at the slowest probe deadline; --probe-timeout overrides all', () => {
    expect(probeTimeouts(config)).toEqual({
      dns: 4000,
      tcp: 4000,
      rdp: 6000,
      tls: 4000,
      ntlm: 4000,
      gateway: 4000,
    });
    expect(plan(understanding(['10.20.1.1']), config, createAllowlist(config)).timeoutMs).toBe(6000);
    const fast = withProbeTimeout(config, 1500);
    expect(probeTimeouts(fast)).toEqual({
      dns: 1500,
      tcp: 1500,
      rdp: 1500,
      tls: 1500,
      ntlm: 1500,
      gateway: 1500,
    });
    expect(withProbeTimeout(config, undefined)).toBe(config);
  });
});

describe('jump config is checked at load', () => {
  test.for([
    { what: 'no host key pin', change: { hostKeyFingerprints: [] }, message: /pin the host key/ },
    {
      what: 'no way to authenticate',
      change: { privateKeyPath: undefined },
      message: /privateKeyPath or agent/,
    },
    { what: 'DNS server not an IP', change: { dns: { servers: ['dns.corp'] } }, message: /IP address/ },
  ])('$what', ({ change, message }) => {
    const result = configSchema.safeParse({ jumps: [{ ...jump('j', {}), ...change }] });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
