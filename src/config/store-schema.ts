import { z } from 'zod';

/** The SQLite store: audit log and feedback votes. */
export const storeSchema = z
  .object({
    /**
     * SQLite file (created if missing, WAL mode): the audit log and feedback votes. Unset: a file
     * under the user's data directory, `$XDG_DATA_HOME/rdp-triage/store.sqlite` (else
     * `~/.local/share/rdp-triage/store.sqlite`); the bot names it on stderr when it creates it.
     * `none`: no audit log, feedback kept in memory. Relative paths are relative to the working
     * directory.
     */
    path: z.string().min(1).optional(),
    /** Audit rows (requests, probes, refusals) older than this are deleted. */
    retentionDays: z.number().int().min(1).max(3650).default(90),
    /** Feedback votes older than this are deleted (they feed the ranking, so keep them longer). */
    feedbackRetentionDays: z.number().int().min(1).max(3650).default(365),
    /**
     * What a committed write survives. `crash` (WAL with synchronous=NORMAL): a restart, `kill -9`
     * and a crash of the bot; a power loss or OS crash may roll back the last commits (never
     * corrupt the file). `power-loss` (synchronous=FULL): that too, at one fsync per commit, which
     * adds milliseconds to every reply that records an audit row or an incident report.
     */
    durability: z.enum(['crash', 'power-loss']).default('crash'),
  })
  .strict()
  .prefault({});

export type StoreConfig = z.infer<typeof storeSchema>;
