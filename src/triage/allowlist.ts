import { BlockList, isIP } from 'node:net';
import type { Config } from '../config/schema.js';

/** Host group of a target outside every inventory group (roles name it in `hostGroups`). */
export const UNGROUPED = 'ungrouped';

/**
 * How an address is judged: `range` — it must lie in allow.cidrs (a literal address, or a name
 * allowed only by where it resolves); `name` — the name itself is allowed (inventory, suffix), so
 * the address only has to stay out of deny.cidrs and the special ranges below.
 */
export type AddressCheck = 'range' | 'name';

/** Answers "may this name / address be probed?" from config. Pure; built once per config. */
export interface Allowlist {
  /** Verdict for a name before resolution: allowed outright, denied, or decided by its addresses. */
  checkName(name: string): { verdict: 'allow' | 'deny' | 'resolve'; reason: string };
  /** Verdict for a resolved or literal address. Every resolved address is checked (no DNS rebinding). */
  checkAddress(address: string, how?: AddressCheck): { allowed: boolean; reason: string };
  /** Inventory group of a name or alias, or `ungrouped`. */
  groupOf(name: string): string;
}

// Addresses a name allowed by suffix or inventory must never lead to unless allow.cidrs names them:
// the bot's own machine, cloud metadata (169.254.169.254), multicast, "this network", reserved.
const SPECIAL_RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', '"this network"'],
  ['127.0.0.0', 8, 'ipv4', 'loopback (the bot’s own machine)'],
  ['169.254.0.0', 16, 'ipv4', 'link-local / cloud metadata'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved / broadcast'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'loopback (the bot’s own machine)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
// inet_aton() (and so getaddrinfo) reads "2130706433", "0x7f.1" and "0177.0.0.1" as 127.0.0.1.
const NUMERIC_ADDRESS = /^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$/;

export function createAllowlist(config: Config): Allowlist {
  const allowed = toBlockList(config.allow.cidrs);
  const denied = toBlockList(config.deny.cidrs);
  const special = SPECIAL_RANGES.map(([network, prefix, type, label]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, type);
    return { list, type, label };
  });
  const groups = new Map<string, string>();
  for (const host of config.inventory)
    for (const name of [host.name, ...host.aliases]) groups.set(name.toLowerCase(), host.group ?? UNGROUPED);
  const matchesSuffix = (name: string, suffixes: string[]) =>
    suffixes.some((suffix) => {
      const bare = suffix.replace(/^\./, '').toLowerCase();
      return name === bare || name.endsWith(`.${bare}`);
    });

  const checkAddress = (rawAddress: string, how: AddressCheck = 'range') => {
    const address = unmapIpv4(rawAddress);
    const family = isIP(address);
    if (family === 0 || address.includes('%'))
      return { allowed: false, reason: `${rawAddress} is not an IP address` };
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (denied.check(address, type))
      return { allowed: false, reason: `${rawAddress} is in a denied range (config deny.cidrs)` };
    if (allowed.check(address, type)) return { allowed: true, reason: 'address in an allowed range' };
    if (how === 'range')
      return { allowed: false, reason: `${rawAddress} is outside the allowed ranges (config allow.cidrs)` };
    const range = special.find((r) => r.type === type && r.list.check(address, type));
    if (range) return { allowed: false, reason: `${rawAddress} is ${range.label}, not in allow.cidrs` };
    return { allowed: true, reason: 'allowed name, address outside the denied ranges' };
  };

  return {
    checkAddress,
    groupOf: (name) => groups.get(stripDot(name.toLowerCase())) ?? UNGROUPED,
    checkName(rawName) {
      const unbracketed = /^\[.*\]$/.test(rawName) ? rawName.slice(1, -1) : rawName;
      if (isIP(unbracketed) !== 0) {
        const verdict = checkAddress(unbracketed, 'range');
        return { verdict: verdict.allowed ? 'allow' : 'deny', reason: verdict.reason };
      }
      const invalid = validateHostName(rawName);
      if (invalid) return { verdict: 'deny', reason: invalid };
      const name = stripDot(rawName.toLowerCase());
      if (matchesSuffix(name, config.deny.suffixes))
        return { verdict: 'deny', reason: `${name} matches a denied suffix (config deny.suffixes)` };
      if (groups.has(name)) return { verdict: 'allow', reason: 'inventory host' };
      if (matchesSuffix(name, config.allow.suffixes))
        return { verdict: 'allow', reason: 'allowed domain suffix' };
      // Anything else is allowed only if every address it resolves to is allowed, and only looked
      // up when the config asks for it: a lookup sends the user's text to the resolver.
      if (config.allow.resolveToCheck && config.allow.cidrs.length > 0)
        return { verdict: 'resolve', reason: 'allowed only if it resolves into an allowed range' };
      return {
        verdict: 'deny',
        reason: `${name} is not an inventory host nor under an allowed suffix (config allow.suffixes); names are not looked up to check their address unless allow.resolveToCheck is on`,
      };
    },
  };
}

/** Why `name` is not a host name we would send anywhere, or null when it is one. */
export function validateHostName(name: string): string | null {
  if (name.length === 0) return 'an empty host name';
  if (name.length > 253) return 'a host name longer than 253 characters';
  // ASCII only: a look-alike (Cyrillic "а", fullwidth dot) must not pass for an inventory name.
  if (!/^[\x21-\x7e]+$/.test(name)) return 'not a valid host name (only ASCII letters, digits, dot and dash)';
  const lower = stripDot(name.toLowerCase());
  if (NUMERIC_ADDRESS.test(lower)) return `${name} looks like an IP address in an unusual notation`;
  const labels = lower.split('.');
  if (!labels.every((label) => LABEL.test(label)))
    return 'not a valid host name (letters, digits and dashes between dots; no leading dash)';
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) return `${name} looks like an IP address in an unusual notation`;
  return null;
}

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** `::ffff:127.0.0.1` is 127.0.0.1: judge mapped addresses by their IPv4 rules. */
function unmapIpv4(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex?.[1] && hex[2]) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

function toBlockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    const mapped = unmapIpv4(network);
    if (mapped !== network) list.addSubnet(mapped, Math.max(0, Number(prefix) - 96), 'ipv4');
    else list.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}
