import { z } from 'zod';

/**
 * Who may trigger probes, and how often. Everyone may always get knowledge-base answers; these
 * settings only decide whether the bot also probes the named hosts.
 */

/**
 * A platform principal: a user, channel or group id, optionally prefixed with its platform
 * (`slack:U0123ABC`, `teams:29:1aBc…`). Without a prefix it matches on every platform. `*` matches
 * everyone.
 */
const principal = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s]+$/, 'an id without spaces, e.g. U0123ABC, slack:C0HELPDESK or teams:<aad-object-id>');

export const roleSchema = z
  .object({
    /** Shown in refusals and in the audit log. */
    name: z.string().min(1).max(64),
    /** Platform user ids (Slack `U…`, Teams `29:…` / AAD object id, console login name); `*` = everyone. */
    users: z.array(principal).default([]),
    /** Anyone writing in one of these channels (Slack `C…`, Teams conversation id) gets the role. */
    channels: z.array(principal).default([]),
    /**
     * Slack user group ids (`slack:S0…`, read with usergroups.list: scope `usergroups:read`) or Teams
     * Entra ID group object ids (`teams:<guid>`, nested groups count: Graph application permission
     * GroupMember.Read.All). Memberships are cached for 5 minutes.
     */
    groups: z.array(principal).default([]),
    /**
     * Host groups the role may probe: inventory `group` names, `ungrouped` for allowed targets
     * outside any inventory group, `*` for all.
     */
    hostGroups: z.array(z.string().min(1)).min(1, 'name at least one host group (or "*")'),
  })
  .strict();

/** Limits per user and per channel. `probesPerMinute` counts targets probed in a sliding minute. */
const limitSchema = (probesPerMinute: number, concurrentTriages: number) =>
  z
    .object({
      probesPerMinute: z.number().int().min(1).max(10_000).default(probesPerMinute),
      /** Triages with probes running at the same time. */
      concurrentTriages: z.number().int().min(1).max(1000).default(concurrentTriages),
    })
    .strict()
    .prefault({});

export const accessSchema = z
  .object({
    /**
     * With no roles, everyone may probe every allowed target (the embedded default). With roles,
     * only members of a role probe, and only that role's host groups.
     */
    roles: z.array(roleSchema).default([]),
  })
  .strict()
  .prefault({});

export const rateLimitsSchema = z
  .object({
    perUser: limitSchema(20, 2),
    perChannel: limitSchema(60, 5),
    /**
     * Surfaces without limits: the CLI and console chat run as someone already on the bot's
     * machine. Slack and Teams are always limited.
     */
    exemptPlatforms: z.array(z.enum(['cli', 'console'])).default(['cli', 'console']),
  })
  .strict()
  .prefault({});

export type RoleConfig = z.infer<typeof roleSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;
export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;

/** Cross-references the schema alone cannot see: role names unique, host groups that exist. */
export function checkAccessReferences(
  config: { access: AccessConfig; inventory: { group?: string | undefined }[] },
  ctx: z.RefinementCtx,
): void {
  const groups = new Set(['*', 'ungrouped', ...config.inventory.flatMap((host) => host.group ?? [])]);
  const seen = new Set<string>();
  config.access.roles.forEach((role, index) => {
    if (seen.has(role.name))
      ctx.addIssue({
        code: 'custom',
        path: ['access', 'roles', index, 'name'],
        message: `duplicate role ${role.name}`,
      });
    seen.add(role.name);
    role.hostGroups.forEach((group, groupIndex) => {
      if (!groups.has(group))
        ctx.addIssue({
          code: 'custom',
          path: ['access', 'roles', index, 'hostGroups', groupIndex],
          message: `no inventory host is in group "${group}" (known: ${[...groups].join(', ')})`,
        });
    });
    if (role.users.length + role.channels.length + role.groups.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['access', 'roles', index],
        message: 'a role needs at least one of users, channels or groups',
      });
  });
}
