import type { IncidentAction } from '../../report/incident.js';
import type { ChatCore, VoteOutcome } from './chat-core.js';
import { BUTTON_TEXTS } from './replies.js';
import type { PostedReport } from './report-store.js';

/** What a report's button asks, however the surface encoded it (a card action, a button value). */
export type ButtonPress =
  | { verb: 'feedback'; key: string; fixId: string; helped: boolean }
  | { verb: 'rerun'; text: string }
  | { verb: 'incident'; id: string; action: IncidentAction; channel: string };

/**
 * What the person who pressed is shown: a line, a failure (`retry`: the store failed, not the
 * request), or the posted report to redraw with their vote marked.
 */
export type ButtonAnswer =
  | { kind: 'said'; text: string }
  | { kind: 'failed'; retry: boolean; text: string }
  | { kind: 'redraw'; posted: PostedReport };

/** Presses a button for `voter`: a vote is recorded by the core; "Run probes again" runs `rerun`. */
export async function pressButton(
  core: ChatCore,
  press: ButtonPress,
  voter: { user: string; name?: string; platform: string },
  rerun: (text: string) => Promise<void>,
): Promise<ButtonAnswer> {
  if (press.verb === 'incident') {
    const { id, action, channel } = press;
    const by = { platform: voter.platform, user: voter.user, channel };
    return { kind: 'said', text: await core.pressIncident({ id, action, by }) };
  }
  if (press.verb === 'rerun') {
    await rerun(press.text);
    return { kind: 'said', text: BUTTON_TEXTS.rerunning };
  }
  const { key, fixId, helped } = press;
  return voteAnswer(await core.vote({ key, fixId, helped, ...voter }));
}

/** A vote's outcome for the voter: the report redrawn, or a line when it is no longer in memory. */
export function voteAnswer(outcome: VoteOutcome): ButtonAnswer {
  if (outcome.status === 'not-stored')
    return { kind: 'failed', retry: true, text: BUTTON_TEXTS.voteNotStored };
  if (outcome.status !== 'recorded') return { kind: 'failed', retry: false, text: 'unknown fix' };
  if (!outcome.posted) return { kind: 'said', text: BUTTON_TEXTS.voteRecorded };
  return { kind: 'redraw', posted: outcome.posted };
}
