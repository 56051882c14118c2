import { z } from 'zod';
import { DEFAULT_WATCH_MIN_CONFIDENCE } from './watch-defaults.js';

/**
 * Watched triage channels (issue 12): opt-in per channel. The bot reads every new top-level
 * message there and answers in its thread, unasked, only a Remote Desktop problem it is sure of.
 *
 * ```yaml
 * watch:
 *   channels:
 *     - { platform: slack, id: C0HELPDSK, name: "#it-helpdesk" }
 *     - { platform: teams, id: "19:abc…@thread.tacv2" }
 *   minConfidence: 0.8   # classifier confidence needed to answer unasked
 * ```
 */
export const watchSchema = z
  .object({
    channels: z
      .array(
        z
          .object({
            platform: z.enum(['slack', 'teams']),
            /** Slack channel id (C…/G…, not the #name); Teams channel conversation id (19:…). */
            id: z.string().min(1).max(200),
            /** For people reading the config; not used. */
            name: z.string().max(200).optional(),
          })
          .strict(),
      )
      .default([]),
    minConfidence: z.number().min(0).max(1).default(DEFAULT_WATCH_MIN_CONFIDENCE),
  })
  .strict()
  .default({ channels: [], minConfidence: DEFAULT_WATCH_MIN_CONFIDENCE });

export type WatchConfig = z.infer<typeof watchSchema>;
