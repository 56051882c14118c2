import { type ButtonAnswer, pressButton } from '../../conversation/buttons.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import { postedReply } from '../../conversation/report-store.js';
import { renderTeamsCard, TEAMS_CARD_CONTENT_TYPE } from '../../render/teams.js';
import { readCardAction } from '../../render/teams-card-data.js';

/** The body of an `adaptiveCard/action` invoke response (Universal Actions). */
export type InvokeBody = { statusCode: number; type: string; value: unknown };

/**
 * A card button: record a vote and redraw the card (its id is the vote's key), run the probes
 * again, or act on an incident from its helpdesk post (the core checks the presser's roles, in
 * `channel`, and audits; the post is redrawn by the incident notifier).
 */
export async function onCardAction(
  core: ChatCore,
  raw: unknown,
  { channel, ...voter }: { user: string; name?: string; channel: string },
  rerun: (text: string) => Promise<void>,
): Promise<InvokeBody> {
  const press = readCardAction(raw, channel);
  if (!press) return invokeError(400, 'unknown card action');
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
