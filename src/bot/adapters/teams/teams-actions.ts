import { z } from 'zod';
import type { VoteOutcome } from '../../conversation/chat-core.js';
import type { PostedReport } from '../../conversation/report-store.js';
import { RERUN_TEXT_MAX, renderTeamsCard, TEAMS_CARD_CONTENT_TYPE, TEAMS_VERBS } from '../../render/teams.js';

/** What a card button sends back (`Action.Execute` data, or the `Action.Submit` fallback's `value`). */
export const cardActionSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal(TEAMS_VERBS.feedback),
    triageId: z.string().min(1).max(512),
    fixId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    helped: z.boolean(),
  }),
  z.object({ verb: z.literal(TEAMS_VERBS.rerun), text: z.string().min(1).max(RERUN_TEXT_MAX) }),
]);

/** The body of an `adaptiveCard/action` invoke response (Universal Actions). */
export interface InvokeBody {
  statusCode: number;
  type: string;
  value: unknown;
}

export const INVOKE_CARD = TEAMS_CARD_CONTENT_TYPE;
export const INVOKE_MESSAGE = 'application/vnd.microsoft.activity.message';

export function invokeError(statusCode: number, message: string): InvokeBody {
  const code = statusCode === 400 ? 'BadRequest' : 'InternalError';
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } };
}

/** A card redrawn from the report store (votes marked), for the card's own id. */
export function renderPostedCard(cardId: string, { report, note, rerunText, votes }: PostedReport) {
  return renderTeamsCard(
    { kind: 'report', report, ...(note !== undefined && { note }) },
    { triageId: cardId, rerunText, votes },
  );
}

/** The invoke answer to a vote: the card redrawn with it, or a line when the card is no longer in memory. */
export function voteAnswer(cardId: string, outcome: VoteOutcome): InvokeBody {
  if (outcome.status === 'not-stored')
    return invokeError(500, 'Your vote could not be stored; please try again later.');
  if (outcome.status !== 'recorded') return invokeError(400, 'unknown fix');
  if (!outcome.posted)
    return { statusCode: 200, type: INVOKE_MESSAGE, value: 'Thanks, your vote is recorded.' };
  return { statusCode: 200, type: INVOKE_CARD, value: renderPostedCard(cardId, outcome.posted) };
}
