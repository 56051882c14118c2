import type { AccessConfig, RoleConfig } from '../config/access-schema.js';

/** Who is asking: enough of an Incoming to decide what they may probe. */
export interface Requester {
  platform: string;
  user: string;
  channel: string;
}

export interface Roles {
  /** False when no roles are configured: everyone may probe every allowed target. */
  readonly restricted: boolean;
  /** True when some role is granted by group membership (the surface must look groups up). */
  readonly usesGroups: boolean;
  /** The roles `requester` holds, given the platform groups (Slack user groups, AAD groups) it is in. */
  rolesOf(requester: Requester, groups: readonly string[]): RoleConfig[];
  /** May someone holding `roles` probe a target in `hostGroup`? */
  mayProbe(roles: readonly RoleConfig[], hostGroup: string): boolean;
}

const PLATFORMS = new Set(['slack', 'teams', 'console', 'cli']);

export function createRoles(access: AccessConfig): Roles {
  const roles = access.roles;
  return {
    restricted: roles.length > 0,
    usesGroups: roles.some((role) => role.groups.length > 0),
    rolesOf(requester, groups) {
      const matches = (entries: string[], id: string) =>
        entries.some((entry) => matchesPrincipal(entry, requester.platform, id));
      return roles.filter(
        (role) =>
          matches(role.users, requester.user) ||
          matches(role.channels, requester.channel) ||
          groups.some((group) => matches(role.groups, group)),
      );
    },
    mayProbe(held, hostGroup) {
      if (roles.length === 0) return true;
      return held.some((role) => role.hostGroups.includes('*') || role.hostGroups.includes(hostGroup));
    },
  };
}

/**
 * `*` matches everyone; `slack:U1` matches U1 on Slack only; `U1` matches U1 on every platform.
 * Teams ids contain colons (`29:1abc`), so only a known platform name counts as a prefix.
 */
export function matchesPrincipal(entry: string, platform: string, id: string): boolean {
  if (entry === '*') return true;
  const colon = entry.indexOf(':');
  const prefix = colon > 0 ? entry.slice(0, colon) : '';
  if (PLATFORMS.has(prefix)) return prefix === platform && entry.slice(colon + 1) === id;
  return entry === id;
}
