import { expect, test } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { jumpOfFinding } from '../../src/ops/finding-jump.js';
import type { Finding } from '../../src/report/finding.js';

// The `jump` label of the probe histogram follows the planner's routing, finding by finding.
const jump = (name: string, suffixes: string[], cidrs: string[]) => ({
  name,
  host: '127.0.0.1',
  username: 'triage',
  privateKeyPath: '/dev/null',
  hostKeyFingerprints: ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  routes: { suffixes, cidrs },
});
const config = configSchema.parse({
  jumps: [jump('jump-eu', ['eu.corp'], ['10.1.0.0/16']), jump('jump-us', ['us.corp'], [])],
  inventory: [
    { name: 'fin-db', address: '10.9.9.9', jump: 'jump-us', aliases: ['fin2'] },
    { name: 'lab-pc.eu.corp', jump: 'direct' },
  ],
});
const finding = (probe: Finding['probe'], target: string): Finding => ({
  probe,
  target,
  status: 'ok',
  code: 'TCP_OPEN',
  summary: '',
  ms: 1,
});

test.for([
  ['dns', 'srv-01.eu.corp', 'jump-eu'],
  ['tcp', 'srv-01.eu.corp:3389', 'jump-eu'],
  ['rdp', 'SRV-02.US.CORP:3389', 'jump-us'],
  ['tcp', '10.1.2.3:3389', 'jump-eu'],
  ['tls', 'fin-db:3389', 'jump-us'],
  ['tcp', 'fin2:3389', 'jump-us'],
  ['tcp', 'lab-pc.eu.corp:3389', 'direct'],
  ['tcp', '[::1]:3389', 'direct'],
  ['tcp', '127.0.0.1:3390', 'direct'],
  ['jump', 'jump-us', 'jump-us'],
] as const)('%s %s → %s', ([probe, target, expected]) => {
  expect(jumpOfFinding(config)(finding(probe, target))).toBe(expected);
});
