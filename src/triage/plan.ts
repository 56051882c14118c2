import { BlockList, isIP } from 'node:net';
import type { Config } from '../config/schema.js';
import { hostPort } from '../probes/probe-target.js';
import type { ProbeKind } from '../report/finding.js';
import type { Refusal } from '../report/report.js';
import type { Understanding, UnusableHostReason } from '../report/understanding.js';
import type { Allowlist } from './allowlist.js';

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

/** What the reply says, after the token, for a host-like token that is no host we probe. */
export const UNUSABLE_HOST_TEXT: Record<UnusableHostReason, string> = {
  'label-too-long': 'not a valid host name: a label (the part between dots) is longer than 63 characters',
  'name-too-long': 'not a valid host name: it is longer than 253 characters',
  'empty-label': 'not a valid host name: an empty label (two dots in a row, or a leading dot)',
  'hyphen-at-edge': 'not a valid host name: a label starts or ends with a hyphen',
  'bad-character': 'not a valid host name: only letters, digits, hyphens and dots',
  'not-ascii':
    'not a valid host name: letters outside ASCII (a look-alike or fullwidth character); write an international name in punycode (xn--…)',
  'unusual-address':
    'looks like an address in an unusual notation (shortened, hex, octal, fullwidth or IPv4-mapped): we do not probe those; write all four numbers, e.g. 10.0.0.5',
  'not-an-address': 'not a valid IP address: four numbers from 0 to 255, or IPv6 groups around one ::',
  'zone-id': 'an IPv6 address with a zone id (%…): we do not probe link-local addresses',
  'bad-port': 'not a valid port: a port is a number from 1 to 65535',
  'user-at-host': 'a user@host form: write the host alone to have it probed',
  'too-many-hosts': 'more than 20 hosts in one message: name fewer',
};

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
  // Every host-like token ends in the reply: what is no host we probe is said so, with its rule.
  for (const unusable of understanding.unusableHosts ?? [])
    refusals.push({ target: unusable.text, reason: UNUSABLE_HOST_TEXT[unusable.reason] });
  const named = [
    ...understanding.hosts.map((host) => ({ name: host.name, port: host.port, role: 'host' as const })),
    ...(understanding.gateway
      ? [{ name: understanding.gateway, port: undefined, role: 'gateway' as const }]
      : []),
  ];
  for (const entry of named) {
    if (isIP(entry.name) === 0 && !HOST_NAME.test(entry.name)) {
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
        target: hostPort(entry.name, port),
        reason: `port ${port} is not a configured ${entry.role === 'gateway' ? 'gateway' : 'RDP'} port`,
      });
      continue;
    }
    const verdict = allowlist.checkName(entry.name);
    if (verdict.verdict === 'deny') {
      refusals.push({ target: entry.name, reason: `not allowed to probe: ${verdict.reason}` });
      continue;
    }
    // A host gets the RDP battery (TLS after negotiation); a gateway gets TLS and the RD Gateway
    // HTTP check on its HTTPS port. dns only when there is a name to resolve.
    const probes: ProbeKind[] = [
      ...(isIP(inventory?.address ?? entry.name) === 0 ? (['dns'] as const) : []),
      'tcp',
      ...(entry.role === 'gateway' ? (['tls', 'gateway'] as const) : (['rdp', 'tls', 'ntlm'] as const)),
    ];
    targets.push({
      name: inventory?.name ?? entry.name,
      ...(inventory?.address && { address: inventory.address }),
      port,
      role: entry.role,
      jump: chooseJump(inventory?.name ?? entry.name, inventory?.address, inventory?.jump, config),
      mustResolveIntoAllowed: verdict.verdict === 'resolve',
      probes,
    });
  }
  return { targets, refusals, timeoutMs: Math.max(...Object.values(probeTimeouts(config))) };
}

/**
 * Which jump serves a target: the inventory's `jump:` (or `direct`), else the first jump whose
 * route matches — a domain suffix of the name, or a CIDR containing the literal / inventory
 * address — else none (direct from this machine).
 */
export function chooseJump(
  name: string,
  address: string | undefined,
  pinned: string | undefined,
  config: { jumps: Pick<Config['jumps'][number], 'name' | 'routes' | 'dns'>[] },
): string | null {
  if (pinned === 'direct') return null;
  if (pinned) return pinned;
  const lower = name.toLowerCase().replace(/\.$/, '');
  const literal = isIP(address ?? '') !== 0 ? address : isIP(lower) !== 0 ? lower : undefined;
  // A short name (no dot) is completed by a jump's DNS search domains: it goes to the first jump
  // that has some, like a user on that site network would resolve it.
  if (!lower.includes('.') && literal === undefined) {
    const searching = config.jumps.find((j) => j.dns.search.length > 0);
    if (searching) return searching.name;
  }
  const jump = config.jumps.find(
    (j) =>
      j.routes.suffixes.some((suffix) => {
        const bare = suffix.replace(/^\./, '').toLowerCase();
        return lower === bare || lower.endsWith(`.${bare}`);
      }) ||
      (literal !== undefined && j.routes.cidrs.some((cidr) => inCidr(literal, cidr))),
  );
  return jump?.name ?? null;
}

function inCidr(address: string, cidr: string): boolean {
  const [network = '', prefix = ''] = cidr.split('/');
  const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
  if ((isIP(address) === 6 ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return list.check(address, family);
}

/** Deadline of each probe kind: per-probe config, else probes.timeoutMs. */
export function probeTimeouts(config: Pick<Config, 'probes'>): Record<Exclude<ProbeKind, 'jump'>, number> {
  const base = config.probes.timeoutMs;
  const own = config.probes.timeouts ?? {};
  return {
    dns: own.dns ?? base,
    tcp: own.tcp ?? base,
    rdp: own.rdp ?? base,
    tls: own.tls ?? base,
    ntlm: own.ntlm ?? base,
    gateway: own.gateway ?? base,
  };
}

/** The config with one deadline for every probe (the CLI's `--probe-timeout`). Pure. */
export function withProbeTimeout<C extends Pick<Config, 'probes'>>(config: C, ms: number | undefined): C {
  if (ms === undefined) return config;
  const { timeouts: _replaced, ...probes } = config.probes;
  return { ...config, probes: { ...probes, timeoutMs: ms } };
}
