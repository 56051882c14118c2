import { z } from 'zod';
import { INCIDENT_ACTIONS } from '../../report/incident.js';
import type { ButtonPress } from '../conversation/buttons.js';
import { RERUN_TEXT_MAX, TEAMS_VERBS } from './teams.js';

/**
 * What a card button sends back (`Action.Execute` data, or the `Action.Submit` fallback's
 * `value`), in the shape renderTeamsCard wrote it. It comes back from the client, so it is checked
 * like any chat payload: an unknown verb or a malformed field is no press.
 */
const cardActionSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal(TEAMS_VERBS.feedback),
    triageId: z.string().min(1).max(512),
    fixId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    helped: z.boolean(),
  }),
  z.object({ verb: z.literal(TEAMS_VERBS.rerun), text: z.string().min(1).max(RERUN_TEXT_MAX) }),
  z.object({
    verb: z.literal(TEAMS_VERBS.incident),
    incidentId: z.string().regex(/^INC-\d{1,12}$/),
    action: z.enum(INCIDENT_ACTIONS),
  }),
]);

/** The press a card's data stands for, `channel` being where it was pressed; undefined when it is none. */
export function readCardAction(raw: unknown, channel: string): ButtonPress | undefined {
  const parsed = cardActionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const action = parsed.data;
  if (action.verb === TEAMS_VERBS.rerun) return { verb: 'rerun', text: action.text };
  if (action.verb === TEAMS_VERBS.incident)
    return { verb: 'incident', id: action.incidentId, action: action.action, channel };
  return { verb: 'feedback', key: action.triageId, fixId: action.fixId, helped: action.helped };
}
