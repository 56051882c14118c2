import type { Requester } from './roles.js';

/**
 * The platform groups of one user: Slack user group ids (`S0…`), Entra ID (AAD) group object ids.
 * Throws when membership cannot be checked; the access gate then grants no group role and says so.
 */
export type GroupLookup = (user: string) => Promise<string[]>;

/**
 * One `groupsOf` for the access gate over every running surface: the bot is assembled once, before
 * the surfaces start, and each surface registers the look-up its platform needs when it starts.
 */
export interface GroupDirectory {
  register(platform: Requester['platform'], lookup: GroupLookup): void;
  /** The requester's groups on its own platform; none on a platform without a look-up (console, CLI, Emulator). */
  groupsOf(requester: Requester): Promise<string[]>;
}

export function createGroupDirectory(): GroupDirectory {
  const lookups = new Map<string, GroupLookup>();
  return {
    register(platform, lookup) {
      lookups.set(platform, lookup);
    },
    async groupsOf({ platform, user }) {
      const lookup = lookups.get(platform);
      return lookup ? lookup(user) : [];
    },
  };
}
