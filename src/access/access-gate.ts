import type { Config } from '../config/schema.js';
import type { Refusal } from '../report/report.js';
import type { Understanding } from '../report/understanding.js';
import type { Allowlist } from '../triage/allowlist.js';
import { createLocalLimits, type GateLimits } from './gate-limits.js';
import { createRoles, type Requester } from './roles.js';

/** What the gate lets through: the understanding to probe with, and why the rest was held back. */
export interface AccessDecision {
  /** The original understanding minus the hosts (and gateway) this requester may not probe now. */
  understanding: Understanding;
  refusals: Refusal[];
  /** Roles the requester holds (names), for the audit log. */
  roles: string[];
  /** True when a rate or concurrency limit held something back. */
  limited: boolean;
  /** Ends this triage's concurrency slots; call once the triage is over (idempotent). */
  release(): void;
}

/**
 * Consulted before probing. Never blocks knowledge-base answers: whatever it refuses is removed
 * from the probe list and reported as a refusal, and the message is answered without probing it.
 */
export interface AccessGate {
  admit(requester: Requester, understanding: Understanding): Promise<AccessDecision>;
  /**
   * Which of `targets` this requester may hear about (an incident's target in `rdp status`): the
   * ones they may probe. No rate budget is used; a failed group look-up grants no group role.
   */
  visible(requester: Requester, targets: readonly string[]): Promise<string[]>;
}

export interface AccessGateDeps {
  config: Config;
  allowlist: Allowlist;
  /**
   * Platform groups of the requester (Slack user group ids, Teams AAD group ids). Only called when
   * a role is granted by group. A failing lookup counts as "in no group", and the refusal says the
   * membership could not be checked.
   */
  groupsOf?: (requester: Requester) => Promise<string[]>;
  /** Where counts live: this process by default, Redis for several replicas. */
  limits?: GateLimits;
  now?: () => number;
}

/** A concurrency slot outlives no triage by more than this, even when its replica died (Redis). */
const SLOT_TTL_MS = 10 * 60_000;

export function createAccessGate({
  config,
  allowlist,
  groupsOf = async () => [],
  now = Date.now,
  limits = createLocalLimits({ now }),
}: AccessGateDeps): AccessGate {
  const roles = createRoles(config.access);
  const { perUser, perChannel, exemptPlatforms } = config.rateLimits;

  // A failed look-up grants no group role; a refusal then says why (the surface logged it).
  const rolesHeld = async (requester: Requester) => {
    let groupsUnknown = false;
    const groups = roles.usesGroups
      ? await groupsOf(requester).catch(() => {
          groupsUnknown = true;
          return [];
        })
      : [];
    return { held: roles.rolesOf(requester, groups), groupsUnknown };
  };

  return {
    async visible(requester, targets) {
      if (targets.length === 0) return [];
      const { held } = await rolesHeld(requester);
      return targets.filter((target) => roles.mayProbe(held, allowlist.groupOf(target)));
    },
    async admit(requester, understanding) {
      const named = [
        ...understanding.hosts.map((host) => host.name),
        ...(understanding.gateway ? [understanding.gateway] : []),
      ];
      // Hosts beyond the per-message limit are refused by plan(); they use no rate budget here.
      const candidates = named.slice(0, config.probes.maxHostsPerMessage);
      const decide = (
        granted: string[],
        refusals: Refusal[],
        roleNames: string[],
        limited = false,
        release = () => {},
      ) => ({
        understanding: keep(understanding, granted, candidates),
        refusals,
        roles: roleNames,
        limited,
        release,
      });
      if (candidates.length === 0) return decide(candidates, [], []);

      const { held, groupsUnknown } = await rolesHeld(requester);
      const unchecked = groupsUnknown
        ? ' (your group membership could not be checked just now — try again in a minute)'
        : '';
      const roleNames = held.map((role) => role.name);
      const refusals: Refusal[] = [];
      const admitted: string[] = [];
      for (const name of candidates) {
        const hostGroup = allowlist.groupOf(name);
        if (roles.mayProbe(held, hostGroup)) admitted.push(name);
        else
          refusals.push({
            target: name,
            reason:
              held.length === 0
                ? `you are not in a role that may trigger probes (config access.roles)${unchecked}; answered from the knowledge base only`
                : `your roles (${roleNames.join(', ')}) may not probe ${hostGroup} hosts${unchecked}`,
          });
      }
      if (admitted.length === 0 || exemptPlatforms.some((platform) => platform === requester.platform))
        return decide(admitted, refusals, roleNames);

      const userKey = `user:${requester.platform}:${requester.user}`;
      const channelKey = `channel:${requester.platform}:${requester.channel}`;
      const refuseAll = (reason: string) =>
        decide([], [...refusals, ...admitted.map((target) => ({ target, reason }))], roleNames, true);
      const releaseUser = await limits.acquire(`running:${userKey}`, {
        max: perUser.concurrentTriages,
        ttlMs: SLOT_TTL_MS,
      });
      if (!releaseUser)
        return refuseAll(
          `you already have ${perUser.concurrentTriages} triage(s) running — try again when they finish`,
        );
      const releaseChannel = await limits.acquire(`running:${channelKey}`, {
        max: perChannel.concurrentTriages,
        ttlMs: SLOT_TTL_MS,
      });
      if (!releaseChannel) {
        await releaseUser().catch(() => {});
        return refuseAll(
          `this channel already has ${perChannel.concurrentTriages} triage(s) running — try again when one finishes`,
        );
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        void releaseUser().catch(() => {});
        void releaseChannel().catch(() => {});
      };

      const grant = await limits.takeProbes({
        userKey,
        channelKey,
        want: admitted.length,
        userLimit: perUser.probesPerMinute,
        channelLimit: perChannel.probesPerMinute,
      });
      const granted = admitted.slice(0, grant.granted);
      const overLimit = admitted.slice(grant.granted);
      if (overLimit.length > 0) {
        const seconds = Math.max(1, Math.ceil(Math.max(grant.userWaitMs, grant.channelWaitMs) / 1000));
        const which =
          grant.userWaitMs >= grant.channelWaitMs
            ? `${perUser.probesPerMinute} probes per minute per person`
            : `${perChannel.probesPerMinute} probes per minute in this channel`;
        for (const name of overLimit)
          refusals.push({
            target: name,
            reason: `rate limit of ${which} reached — try again in ${seconds} s`,
          });
      }
      if (granted.length === 0) release();
      return decide(granted, refusals, roleNames, overLimit.length > 0, release);
    },
  };
}

/** The understanding with every candidate not in `granted` removed (others are left for plan()). */
function keep(understanding: Understanding, granted: string[], candidates: string[]): Understanding {
  const dropped = new Set(candidates.filter((name) => !granted.includes(name)));
  if (dropped.size === 0) return understanding;
  return {
    ...understanding,
    hosts: understanding.hosts.filter((host) => !dropped.has(host.name)),
    gateway:
      understanding.gateway !== null && dropped.has(understanding.gateway) ? null : understanding.gateway,
  };
}
