import type { Config } from '../config/schema.js';
import type { Finding } from '../report/finding.js';
import { chooseJump } from '../triage/plan.js';

/**
 * The jump a finding's probe went through, for the `jump` label of the probe latency histogram:
 * the planner's own routing (`chooseJump`: inventory `jump:`, then routes) applied to the
 * finding's target, `direct` when no jump serves it. Labels stay bounded: configured jump names.
 */
export function jumpOfFinding(config: Pick<Config, 'jumps' | 'inventory'>): (finding: Finding) => string {
  return (finding) => {
    if (finding.probe === 'jump') return finding.target;
    const name = hostOf(finding.target).toLowerCase();
    const host = config.inventory.find(
      (entry) =>
        entry.name.toLowerCase() === name || entry.aliases.some((alias) => alias.toLowerCase() === name),
    );
    return chooseJump(host?.name ?? name, host?.address, host?.jump, config) ?? 'direct';
  };
}

/** `srv-fin-02` from `srv-fin-02:3389`, `::1` from `[::1]:3389`; a DNS finding's target is the bare name. */
function hostOf(target: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracketed?.[1]) return bracketed[1];
  const withPort = /^([^:]+):\d+$/.exec(target);
  return withPort?.[1] ?? target;
}
