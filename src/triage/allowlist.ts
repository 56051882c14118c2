import { BlockList, isIP } from 'node:net';
import type { Config } from '../config/schema.js';

/** Answers "may this name / address be probed?" from config. Pure; built once per config. */
export interface Allowlist {
  /** Verdict for a name before resolution: allowed outright, denied, or decided by its addresses. */
  checkName(name: string): { verdict: 'allow' | 'deny' | 'resolve'; reason: string };
  /** Verdict for a resolved or literal address. */
  checkAddress(address: string): { allowed: boolean; reason: string };
}

export function createAllowlist(config: Config): Allowlist {
  const allowed = toBlockList(config.allow.cidrs);
  const denied = toBlockList(config.deny.cidrs);
  const inventory = new Set(
    config.inventory.flatMap((host) => [host.name, ...host.aliases].map((n) => n.toLowerCase())),
  );
  const matchesSuffix = (name: string, suffixes: string[]) =>
    suffixes.some((suffix) => {
      const bare = suffix.replace(/^\./, '').toLowerCase();
      return name === bare || name.endsWith(`.${bare}`);
    });

  const checkAddress = (address: string) => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) return { allowed: false, reason: `${address} is not an IP address` };
    if (denied.check(address, family))
      return { allowed: false, reason: `${address} is in a denied range (config deny.cidrs)` };
    if (allowed.check(address, family)) return { allowed: true, reason: 'address in an allowed range' };
    return { allowed: false, reason: `${address} is outside the allowed ranges (config allow.cidrs)` };
  };

  return {
    checkAddress,
    checkName(rawName) {
      const name = rawName.toLowerCase();
      if (isIP(name) !== 0) {
        const verdict = checkAddress(name);
        return { verdict: verdict.allowed ? 'allow' : 'deny', reason: verdict.reason };
      }
      if (matchesSuffix(name, config.deny.suffixes))
        return { verdict: 'deny', reason: `${name} matches a denied suffix` };
      if (inventory.has(name)) return { verdict: 'allow', reason: 'inventory host' };
      if (matchesSuffix(name, config.allow.suffixes))
        return { verdict: 'allow', reason: 'allowed domain suffix' };
      // Anything else is allowed only if every address it resolves to is allowed (no DNS rebinding).
      return { verdict: 'resolve', reason: 'allowed only if it resolves into an allowed range' };
    },
  };
}

function toBlockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(network, Number(prefix), family);
  }
  return list;
}
