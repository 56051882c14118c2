import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Config, configSchema } from '../../../src/config/schema.js';
import type { Understanding } from '../../../src/report/understanding.js';
import type { LabInfo } from './lab-plan.js';

/** The config a user would write for the lab (examples/config.lab.yaml, with this run's paths). */
export function labConfigObject(
  lab: LabInfo,
  {
    timeoutMs = 4000,
    knownHostsPath = lab.jump.knownHostsPath,
    extraSuffixes = [],
  }: { timeoutMs?: number; knownHostsPath?: string; extraSuffixes?: string[] } = {},
) {
  const site = lab.mode === 'netns' ? '10.77.0.0/24' : '127.0.0.0/8';
  return {
    jumps: [
      {
        name: 'lab-jump',
        host: lab.jump.host,
        port: lab.jump.port,
        username: lab.jump.username,
        privateKeyPath: lab.jump.privateKeyPath,
        knownHostsPath,
        routes: { suffixes: ['lab', ...extraSuffixes], cidrs: [site] },
        dns: { servers: [lab.dnsServer], search: ['lab'] },
      },
    ],
    // resolveToCheck: the fault cases probe names outside the `lab` suffix (a short name the search
    // domain completes, a name the site resolver refuses), which only a lookup can place in `site`.
    allow: { suffixes: ['lab'], cidrs: [site], resolveToCheck: true },
    probes: { timeoutMs, tls: { caFile: lab.caFile } },
  };
}

export function labConfig(lab: LabInfo, options: Parameters<typeof labConfigObject>[1] = {}): Config {
  return configSchema.parse(labConfigObject(lab, options));
}

/** Writes the lab config as YAML next to the lab's keys (removed with the lab directory). */
export function writeLabConfigYaml(lab: LabInfo, name = 'config.test.yaml'): string {
  const path = join(lab.dir, name);
  writeFileSync(path, stringify(labConfigObject(lab)));
  return path;
}

export function knownHostsText(lab: LabInfo): string {
  return readFileSync(lab.jump.knownHostsPath, 'utf8');
}

/** An Understanding naming hosts and/or a gateway, as `understand()` would produce for a message. */
export function understandingFor(hosts: string[], gateway: string | null = null): Understanding {
  return {
    intent: 'rdp_failure',
    confidence: 1,
    codes: [],
    hosts: hosts.map((name) => ({ name, kind: name.includes('.') ? 'fqdn' : 'short' })),
    gateway,
    symptoms: [],
  };
}
