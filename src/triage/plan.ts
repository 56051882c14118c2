import { isIP } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Understanding } from '../intents/understanding.js';
import type { ProbeKind } from '../probes/finding.js';
import type { Allowlist } from './allowlist.js';
import type { Refusal } from './report.js';

export interface PlannedTarget {
  /** Name or address as the user wrote it (or the inventory name). */
  name: string;
  /** Address to use instead of resolving `name` (inventory `address`). */
  address?: string;
  port: number;
  role: 'host' | 'gateway';
  /** Jump name, or null for direct. */
  jump: string | null;
  /** True when the name must resolve into an allowed range before anything else is sent. */
  mustResolveIntoAllowed: boolean;
  probes: ProbeKind[];
}

export interface TriagePlan {
  targets: PlannedTarget[];
  refusals: Refusal[];
  timeoutMs: number;
}

const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._:-]{0,252})$/;

/** Which probes run on which targets, via which jump; and which named targets are refused. Pure. */
export function plan(understanding: Understanding, config: Config, allowlist: Allowlist): TriagePlan {
  const targets: PlannedTarget[] = [];
  const refusals: Refusal[] = [];
  if (
    understanding.intent === 'out_of_scope' ||
    understanding.intent === 'help' ||
    understanding.intent === 'feedback'
  ) {
    return { targets, refusals, timeoutMs: config.probes.timeoutMs };
  }
  const named = [
    ...understanding.hosts.map((host) => ({ name: host.name, port: host.port, role: 'host' as const })),
    ...(understanding.gateway
      ? [{ name: understanding.gateway, port: undefined, role: 'gateway' as const }]
      : []),
  ];
  for (const entry of named) {
    if (!HOST_NAME.test(entry.name)) {
      refusals.push({ target: entry.name, reason: 'not a valid host name or address' });
      continue;
    }
    if (targets.length >= config.probes.maxHostsPerMessage) {
      refusals.push({
        target: entry.name,
        reason: `more than ${config.probes.maxHostsPerMessage} hosts in one message`,
      });
      continue;
    }
    const inventory = config.inventory.find(
      (host) =>
        host.name.toLowerCase() === entry.name.toLowerCase() ||
        host.aliases.some((a) => a.toLowerCase() === entry.name.toLowerCase()),
    );
    const defaultPort =
      entry.role === 'gateway'
        ? (config.probes.gatewayPorts[0] ?? 443)
        : (inventory?.port ?? config.probes.rdpPorts[0] ?? 3389);
    const port = entry.port ?? defaultPort;
    const allowedPorts =
      entry.role === 'gateway'
        ? config.probes.gatewayPorts
        : [...config.probes.rdpPorts, ...(inventory ? [inventory.port] : [])];
    if (!allowedPorts.includes(port)) {
      refusals.push({
        target: `${entry.name}:${port}`,
        reason: `port ${port} is not a configured ${entry.role === 'gateway' ? 'gateway' : 'RDP'} port`,
      });
      continue;
    }
    const verdict = allowlist.checkName(entry.name);
    if (verdict.verdict === 'deny') {
      refusals.push({ target: entry.name, reason: `not allowed to probe: ${verdict.reason}` });
      continue;
    }
    const probes: ProbeKind[] = [
      ...(isIP(inventory?.address ?? entry.name) === 0 ? (['dns'] as const) : []),
      'tcp',
      ...(entry.role === 'gateway' ? (['tls'] as const) : (['rdp'] as const)),
    ];
    targets.push({
      name: inventory?.name ?? entry.name,
      ...(inventory?.address && { address: inventory.address }),
      port,
      role: entry.role,
      jump: chooseJump(inventory?.name ?? entry.name, inventory?.jump, config),
      mustResolveIntoAllowed: verdict.verdict === 'resolve',
      probes,
    });
  }
  return { targets, refusals, timeoutMs: config.probes.timeoutMs };
}

function chooseJump(name: string, pinned: string | undefined, config: Config): string | null {
  if (pinned === 'direct') return null;
  if (pinned) return pinned;
  const lower = name.toLowerCase();
  const jump = config.jumps.find((j) =>
    j.routes.suffixes.some((s) => lower.endsWith(s.replace(/^\.?/, '.')) || lower === s.replace(/^\./, '')),
  );
  return jump?.name ?? null;
}
