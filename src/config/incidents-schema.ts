import { z } from 'zod';

/**
 * Incidents: many reports of one outage become one incident (issue 19). A failing finding on a
 * target with one cause (finding code) from `openAfterReports` different users within
 * `windowMinutes` opens an incident; later reports of it attach to the open one.
 */
export const incidentsSchema = z
  .object({
    /** Off: every report is answered alone, nothing is grouped. */
    enabled: z.boolean().default(true),
    /** Different users reporting the same target and cause before an incident opens (1: the first report). */
    openAfterReports: z.number().int().min(1).max(1000).default(2),
    /** How close together those reports must be. */
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /**
     * A monitor opens a warning incident (cause TLS_CERT_EXPIRING_SOON) on its first probe that
     * sees a certificate expiring within this many days; it resolves once the certificate is renewed.
     */
    certificateWarningDays: z.number().int().min(1).max(365).default(14),
    /**
     * Where each incident is posted once, in the helpdesk's channel, and edited in place as reports
     * attach and its state changes, with Acknowledge / Resolve / Reopen buttons. Absent: no post.
     */
    helpdesk: z
      .object({
        /** Slack channel id (C…, or G… for an old private channel) the bot is a member of. */
        slack: z
          .string()
          .regex(/^[CG][A-Z0-9]{2,30}$/, 'a Slack channel id such as C0123HELP')
          .optional(),
        /**
         * Teams channel id (`19:…@thread.tacv2`, from the channel's link) of a team the bot is
         * installed in. The bot posts there through TEAMS_SERVICE_URL until it has seen an activity
         * in the channel (an install, an @mention), which names the channel's own Bot Connector;
         * that reference is kept in the store, for a restart and `monitor --once`.
         */
        teams: z
          .string()
          .regex(
            /^19:[A-Za-z0-9_.-]{1,200}@thread\.(tacv2|skype)$/,
            'a Teams channel id such as 19:abc123@thread.tacv2',
          )
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type IncidentsConfig = z.infer<typeof incidentsSchema>;

/**
 * Targets the bot watches itself (issue 19): each is probed like a user's report through the
 * normal jump and allow rules; two failures in a row open (or join) an incident, and a
 * certificate about to expire (incidents.certificateWarningDays) is a warning incident at once.
 */
export const monitorsSchema = z
  .array(
    z
      .object({
        /** Names the monitor in incidents and logs (default: the host, else the gateway). */
        name: z.string().min(1).max(100).optional(),
        /** The host to probe, `name` or `name:port`, as a user would write it; absent: the gateway alone. */
        host: z.string().min(1).max(260).optional(),
        /** The RD Gateway it is reached through, or the gateway to watch when there is no host. */
        gateway: z.string().min(1).max(260).optional(),
        /**
         * How often serve probes it, each monitor on its own schedule (once per interval across
         * replicas with Redis). A few seconds suit a lab; production monitors are 60 s or more.
         */
        intervalSeconds: z.number().int().min(1).max(86_400).default(300),
      })
      .strict()
      .refine((monitor) => monitor.host !== undefined || monitor.gateway !== undefined, {
        message: 'a monitor needs a host, a gateway, or both',
      }),
  )
  .max(500)
  .default([]);

export type MonitorConfig = z.infer<typeof monitorsSchema>[number];
