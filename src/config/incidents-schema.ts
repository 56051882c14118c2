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
  })
  .strict()
  .prefault({});

export type IncidentsConfig = z.infer<typeof incidentsSchema>;
