import type { Config } from '../config/schema.js';
import type { Understanding } from '../intents/understanding.js';
import type { Allowlist } from '../triage/allowlist.js';
import type { Refusal } from '../triage/report.js';
import { createConcurrencyLimit, createRateLimiter } from './rate-limiter.js';
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
  /** Ends this triage's concurrency slot; call once the triage is over (idempotent). */
  release(): void;
}

/**
 * Consulted before probing. Never blocks knowledge-base answers: whatever it refuses is removed
 * from the probe list and reported as a refusal, and the message is answered without probing it.
 */
export interface AccessGate {
  admit(requester: Requester, understanding: Understanding): Promise<AccessDecision>;
}

export interface AccessGateDeps {
  config: Config;
  allowlist: Allowlist;
  /**
   * Platform groups of the requester (Slack user group ids, Teams AAD group ids). Only called when
   * a role is granted by group. A failing lookup counts as "in no group".
   */
  groupsOf?: (requester: Requester) => Promise<string[]>;
  now?: () => number;
}

export function createAccessGate({
  config,
  allowlist,
  groupsOf = async () => [],
  now = Date.now,
}: AccessGateDeps): AccessGate {
  const roles = createRoles(config.access);
  const { perUser, perChannel } = config.rateLimits;
  const userRate = createRateLimiter({ limit: perUser.probesPerMinute, now });
  const channelRate = createRateLimiter({ limit: perChannel.probesPerMinute, now });
  const userRunning = createConcurrencyLimit(perUser.concurrentTriages);
  const channelRunning = createConcurrencyLimit(perChannel.concurrentTriages);

  return {
    async admit(requester, understanding) {
      const userKey = `${requester.platform}\u0000${requester.user}`;
      const channelKey = `${requester.platform}\u0000${requester.channel}`;
      const named = [
        ...understanding.hosts.map((host) => host.name),
        ...(understanding.gateway ? [understanding.gateway] : []),
      ];
      // Hosts beyond the per-message limit are refused by plan(); they use no rate budget here.
      const candidates = named.slice(0, config.probes.maxHostsPerMessage);
      const passThrough = { understanding, refusals: [], limited: false, release: () => {} };
      if (candidates.length === 0) return { ...passThrough, roles: [] };

      const groups = roles.usesGroups ? await groupsOf(requester).catch(() => []) : [];
      const held = roles.rolesOf(requester, groups);
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
                ? 'you are not in a role that may trigger probes (config access.roles); answered from the knowledge base only'
                : `your roles (${held.map((r) => r.name).join(', ')}) may not probe ${hostGroup} hosts`,
          });
      }
      const roleNames = held.map((role) => role.name);
      if (admitted.length === 0)
        return {
          ...passThrough,
          understanding: keep(understanding, admitted, candidates),
          refusals,
          roles: roleNames,
        };

      const exempt = config.rateLimits.exemptPlatforms.some((platform) => platform === requester.platform);
      if (exempt)
        return {
          understanding: keep(understanding, admitted, candidates),
          refusals,
          roles: roleNames,
          limited: false,
          release: () => {},
        };
      if (!userRunning.tryAcquire(userKey)) {
        return limitedDecision(
          understanding,
          admitted,
          candidates,
          refusals,
          roleNames,
          `you already have ${perUser.concurrentTriages} triage(s) running — try again when they finish`,
        );
      }
      if (!channelRunning.tryAcquire(channelKey)) {
        userRunning.release(userKey);
        return limitedDecision(
          understanding,
          admitted,
          candidates,
          refusals,
          roleNames,
          `this channel already has ${perChannel.concurrentTriages} triage(s) running — try again when one finishes`,
        );
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        userRunning.release(userKey);
        channelRunning.release(channelKey);
      };

      const budget = Math.min(userRate.available(userKey), channelRate.available(channelKey));
      const granted = admitted.slice(0, budget);
      userRate.consume(userKey, granted.length);
      channelRate.consume(channelKey, granted.length);
      const overLimit = admitted.slice(budget);
      if (overLimit.length > 0) {
        const userWait = userRate.retryAfterMs(userKey);
        const channelWait = channelRate.retryAfterMs(channelKey);
        const seconds = Math.max(1, Math.ceil(Math.max(userWait, channelWait) / 1000));
        const which =
          userWait >= channelWait
            ? `${perUser.probesPerMinute} probes per minute per person`
            : `${perChannel.probesPerMinute} probes per minute in this channel`;
        for (const name of overLimit)
          refusals.push({
            target: name,
            reason: `rate limit of ${which} reached — try again in ${seconds} s`,
          });
      }
      if (granted.length === 0) release();
      return {
        understanding: keep(understanding, granted, candidates),
        refusals,
        roles: roleNames,
        limited: overLimit.length > 0,
        release,
      };
    },
  };
}

function limitedDecision(
  understanding: Understanding,
  admitted: string[],
  candidates: string[],
  refusals: Refusal[],
  roles: string[],
  reason: string,
): AccessDecision {
  return {
    understanding: keep(understanding, [], candidates),
    refusals: [...refusals, ...admitted.map((target) => ({ target, reason }))],
    roles,
    limited: true,
    release: () => {},
  };
}

/** The understanding with every candidate not in `granted` removed (others are left for plan()). */
function keep(understanding: Understanding, granted: string[], candidates: string[]): Understanding {
  const dropped = new Set(candidates.filter((name) => !granted.includes(name)));
  return {
    ...understanding,
    hosts: understanding.hosts.filter((host) => !dropped.has(host.name)),
    gateway:
      understanding.gateway !== null && dropped.has(understanding.gateway) ? null : understanding.gateway,
  };
}
