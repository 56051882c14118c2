import { isIP } from 'node:net';
import { z } from 'zod';
import { accessSchema, checkAccessReferences, rateLimitsSchema } from './access-schema.js';
import { incidentsSchema, monitorsSchema } from './incidents-schema.js';
import { opsSchema } from './ops-schema.js';
import { storeSchema } from './store-schema.js';
import { watchSchema } from './watch-schema.js';

/**
 * The configuration file (YAML). Every setting is documented here, next to the check that
 * enforces it. With no file at all the bot runs in the embedded default: no jump (probes run
 * directly from this machine) and only loopback targets allowed.
 */

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address (letters, digits, dot, colon, dash, underscore)');

const cidr = z.string().refine(isCidr, 'a CIDR such as 10.0.0.0/8 or fd00::/8');

/** An IPv4 or IPv6 network with a prefix length that fits the family (node:net decides). */
function isCidr(value: string): boolean {
  const match = /^([0-9a-fA-F.:]+)\/(\d{1,3})$/.exec(value);
  const family = isIP(match?.[1] ?? '');
  return family !== 0 && Number(match?.[2]) <= (family === 4 ? 32 : 128);
}

const port = z.number().int().min(1).max(65535);

/** A DNS suffix (`corp.example`, `.corp.example`): a name matches it or ends with `.<suffix>`. */
const suffix = z
  .string()
  .regex(/^\.?[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*$/, 'a domain suffix such as corp.example');

export const jumpSchema = z.object({
  /** Name used in messages ("Probing srv-fin-02 through jump-eu…") and in routes. */
  name: z.string().min(1),
  host: hostName,
  port: port.default(22),
  username: z.string().min(1),
  /** Path to a private key file; or `agent: true` to use SSH_AUTH_SOCK. */
  privateKeyPath: z.string().optional(),
  agent: z.boolean().default(false),
  /** Name of the environment variable that holds the key's passphrase (never the passphrase). */
  passphraseEnv: z.string().optional(),
  /** Pinned host key: `SHA256:…` fingerprint(s) and/or a known_hosts file. One is required. */
  hostKeyFingerprints: z.array(z.string().regex(/^SHA256:[A-Za-z0-9+/=]+$/)).default([]),
  knownHostsPath: z.string().optional(),
  /**
   * Which targets go through this jump: domain suffixes and CIDRs (of literal or inventory
   * addresses). Inventory `jump:` overrides routes; the first jump whose route matches wins.
   */
  routes: z
    .object({ suffixes: z.array(z.string()).default([]), cidrs: z.array(cidr).default([]) })
    .default({ suffixes: [], cidrs: [] }),
  /**
   * The site resolver as seen from the jump. Names are resolved by DNS over a tunnel to these
   * servers (never by sshd, whose blocking lookup stalls every channel when DNS is slow). Empty:
   * read once from the jump's /etc/resolv.conf over SFTP. `search` completes short names.
   */
  dns: z
    .object({
      servers: z
        .array(hostName.refine((v) => isIP(v) !== 0, 'an IP address'))
        .max(3)
        .default([]),
      search: z
        .array(z.string().regex(/^[A-Za-z0-9.-]+$/))
        .max(6)
        .default([]),
      timeoutMs: z.number().int().min(100).max(60_000).optional(),
    })
    .prefault({}),
  /** SSH handshake budget in ms (default: probes.timeoutMs, so it fits inside a probe's deadline). */
  readyTimeoutMs: z.number().int().min(100).max(60_000).optional(),
  /** Keep-alive interval in ms on the pooled connection (3 missed answers close it). */
  keepaliveIntervalMs: z.number().int().min(1000).max(600_000).default(15_000),
  /** Channel opens in flight at once on this jump (sshd opens a socket for each). */
  maxPendingChannels: z.number().int().min(1).max(512).default(64),
});

export const inventoryHostSchema = z.object({
  name: hostName,
  /** Other names people use for the host (`fin2`); matched case-insensitively. */
  aliases: z.array(hostName).default([]),
  /** Address to probe instead of resolving `name` (useful for lab and split-horizon DNS). */
  address: hostName.optional(),
  port: port.default(3389),
  gateway: hostName.optional(),
  /** Host group for roles (`access.roles[].hostGroups`); hosts without one are `ungrouped`. */
  group: z.string().min(1).max(64).optional(),
  /** Jump to use for this host, overriding routes. `direct` forces no jump. */
  jump: z.string().optional(),
});

/** A jump must pin its host key and have a way to authenticate. */
const checkedJumpSchema = jumpSchema.superRefine((jump, ctx) => {
  if (jump.hostKeyFingerprints.length === 0 && !jump.knownHostsPath)
    ctx.addIssue({
      code: 'custom',
      path: ['hostKeyFingerprints'],
      message: 'pin the host key: set hostKeyFingerprints (SHA256:…) or knownHostsPath',
    });
  if (!jump.privateKeyPath && !jump.agent)
    ctx.addIssue({ code: 'custom', path: ['privateKeyPath'], message: 'set privateKeyPath or agent: true' });
});

export const configSchema = z
  .object({
    jumps: z
      .array(checkedJumpSchema)
      .default([])
      .refine(
        (jumps) => new Set(jumps.map((j) => j.name)).size === jumps.length,
        'jump names must be unique',
      ),
    inventory: z.array(inventoryHostSchema).default([]),
    /**
     * Targets that may be probed: inventory hosts, names under `suffixes`, and names or addresses
     * in `cidrs`. Every address a name resolves to is checked again before a probe (src/triage/allowlist.ts).
     */
    allow: z
      .object({
        suffixes: z.array(suffix).default([]),
        // Loopback is the out-of-the-box demo only (the whole `allow` block absent): a config that
        // sets `suffixes` alone must not keep allowing the bot's own machine by surprise.
        cidrs: z.array(cidr).default([]),
        /**
         * Look a name up that no suffix or inventory entry allows, to see whether it resolves into
         * `cidrs`. Off by default: such a lookup sends a name any chat user wrote to the resolver
         * (a leak, and a way to probe it), so without this the name is refused unlooked-up.
         */
        resolveToCheck: z.boolean().default(false),
      })
      .strict()
      .default({ suffixes: [], cidrs: ['127.0.0.0/8', '::1/128'], resolveToCheck: false }),
    /** Targets never probed, even when allowed above (also when a name resolves into `cidrs`). */
    deny: z
      .object({ suffixes: z.array(suffix).default([]), cidrs: z.array(cidr).default([]) })
      .strict()
      .default({ suffixes: [], cidrs: [] }),
    probes: z
      .object({
        /** Deadline of each probe in milliseconds. */
        timeoutMs: z.number().int().min(100).max(60_000).default(4000),
        rdpPorts: z.array(port).default([3389]),
        gatewayPorts: z.array(port).default([443]),
        /** Most hosts probed for one message. */
        maxHostsPerMessage: z.number().int().min(1).max(20).default(5),
        /** Per-probe deadlines in ms, overriding timeoutMs (dns, tcp, rdp, tls, ntlm, gateway). */
        timeouts: z
          .object({
            dns: z.number().int().min(100).max(60_000).optional(),
            tcp: z.number().int().min(100).max(60_000).optional(),
            rdp: z.number().int().min(100).max(60_000).optional(),
            tls: z.number().int().min(100).max(60_000).optional(),
            ntlm: z.number().int().min(100).max(60_000).optional(),
            gateway: z.number().int().min(100).max(60_000).optional(),
          })
          .optional(),
        /** Certificate checks: extra trusted CA file (PEM) and the "expiring soon" threshold. */
        tls: z
          .object({
            caFile: z.string().optional(),
            expiringSoonDays: z.number().int().min(0).max(365).default(30),
          })
          .optional(),
      })
      .default({ timeoutMs: 4000, rdpPorts: [3389], gatewayPorts: [443], maxHostsPerMessage: 5 }),
    /** Who may trigger probes on which host groups (see access-schema.ts). */
    access: accessSchema,
    /** Probes per minute and concurrent triages, per user and per channel. */
    rateLimits: rateLimitsSchema,
    /** Audit log and feedback votes (SQLite). */
    store: storeSchema,
    /** Logs, health, shutdown, Redis for replicas, zone workers (see ops-schema.ts). */
    ops: opsSchema,
    /**
     * Knowledge base. `extensionsDir`: an organisation's extra codes, fixes and overrides (YAML,
     * same shapes as src/fixes/data; check with `rdp-triage kb check DIR`). A bad file stops the
     * bot at start-up (KB_INVALID) instead of loading half of it.
     */
    kb: z
      .object({ extensionsDir: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** Watched triage channels answered unasked (see watch-schema.ts). */
    watch: watchSchema,
    /** Many reports of one outage as one incident (see incidents-schema.ts). */
    incidents: incidentsSchema,
    /** Targets probed on a schedule, opening incidents before anyone reports them (see incidents-schema.ts). */
    monitors: monitorsSchema,
  })
  // A misspelt top-level key ("acess:") is an error, not a silently ignored section.
  .strict()
  .superRefine(checkAccessReferences);

export type Config = z.infer<typeof configSchema>;
export type JumpConfig = z.infer<typeof jumpSchema>;
export type InventoryHost = z.infer<typeof inventoryHostSchema>;

export function defaultConfig(): Config {
  return configSchema.parse({});
}
