import { z } from 'zod';
import { type ButtonAnswer, pressButton } from '../../conversation/buttons.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import { postedReply } from '../../conversation/report-store.js';
import { RERUN_TEXT_MAX, renderTeamsCard, TEAMS_CARD_CONTENT_TYPE, TEAMS_VERBS } from '../../render/teams.js';

/** What a card button sends back (`Action.Execute` data, or the `Action.Submit` fallback's `value`). */
const cardActionSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal(TEAMS_VERBS.feedback),
    triageId: z.string().min(1).max(512),
    fixId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    helped: z.boolean(),
  }),
  z.object({ verb: z.literal(TEAMS_VERBS.rerun), text: z.string().min(1).max(RERUN_TEXT_MAX) }),
]);

/** The body of an `adaptiveCard/action` invoke response (Universal Actions). */
export type InvokeBody = { statusCode: number; type: string; value: unknown };

/** A card button: record a vote and redraw the card (its id is the vote's key), or run the probes again. */
export async function onCardAction(
  core: ChatCore,
  raw: unknown,
  voter: { user: string; name?: string },
  rerun: (text: string) => Promise<void>,
): Promise<InvokeBody> {
  const parsed = cardActionSchema.safeParse(raw);
  if (!parsed.success) return invokeError(400, 'unknown card action');
  const action = parsed.data;
  const press =
    action.verb === TEAMS_VERBS.rerun
      ? { verb: 'rerun' as const, text: action.text }
      : { verb: 'feedback' as const, key: action.triageId, fixId: action.fixId, helped: action.helped };
  const answer = await pressButton(core, press, { ...voter, platform: 'teams' }, rerun);
  return invokeBody(answer, press.verb === 'feedback' ? press.key : '');
}

function invokeBody(answer: ButtonAnswer, cardId: string): InvokeBody {
  if (answer.kind === 'said')
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: answer.text };
  if (answer.kind === 'failed') return invokeError(answer.retry ? 500 : 400, answer.text);
  // The card redrawn from the report store, votes marked, for the card's own id.
  const { rerunText, votes } = answer.posted;
  const value = renderTeamsCard(postedReply(answer.posted), { triageId: cardId, rerunText, votes });
  return { statusCode: 200, type: TEAMS_CARD_CONTENT_TYPE, value };
}

function invokeError(statusCode: number, message: string): InvokeBody {
  const code = statusCode === 400 ? 'BadRequest' : 'InternalError';
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } };
}
