import type { IncidentAction } from '../../report/incident.js';
import type { ChatCore, VoteOutcome } from './chat-core.js';
import { BUTTON_TEXTS } from './replies.js';
import type { PostedReport } from './report-store.js';

/** What a report's button asks, however the surface encoded it (a card action, a button value). */
export type ButtonPress =
  | { verb: 'feedback'; key: string; fixId: string; helped: boolean; codes?: string[] }
  /** `key`: the report being re-run in place, which must not run twice at once. */
  | { verb: 'rerun'; text: string; key?: string }
  /** "All fixes": the stored report `key` redrawn with every fix expanded. */
  | { verb: 'showAll'; key: string }
  | { verb: 'incident'; id: string; action: IncidentAction; channel: string };

/**
 * What the person who pressed is shown: a line, a failure (`retry`: the store failed, not the
 * request), or the posted report to redraw with their vote marked.
 */
export type ButtonAnswer =
  | { kind: 'said'; text: string }
  | { kind: 'failed'; retry: boolean; text: string }
  | { kind: 'redraw'; posted: PostedReport };

/**
 * Presses a button for `voter`: a vote is recorded by the core; "All fixes" expands the stored
 * report; "Run probes again" runs `rerun` (unless that report is running already); an incident's
 * button goes to the core, which checks the presser's roles and audits.
 */
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
    if (press.key !== undefined && core.isRunning(press.key))
      return { kind: 'said', text: BUTTON_TEXTS.alreadyRunning };
    await rerun(press.text);
    return { kind: 'said', text: BUTTON_TEXTS.rerunning };
  }
  if (press.verb === 'showAll') {
    const posted = core.reports.get(press.key);
    if (!posted) return { kind: 'said', text: BUTTON_TEXTS.expired };
    posted.view = { ...posted.view, expandAll: true };
    return { kind: 'redraw', posted };
  }
  const { key, fixId, helped, codes } = press;
  return voteAnswer(await core.vote({ key, fixId, helped, ...(codes && { codes }), ...voter }));
}

/** A vote's outcome for the voter: the report redrawn, or a line when it is no longer in memory. */
export function voteAnswer(outcome: VoteOutcome): ButtonAnswer {
  if (outcome.status === 'not-stored')
    return { kind: 'failed', retry: true, text: BUTTON_TEXTS.voteNotStored };
  if (outcome.status !== 'recorded') return { kind: 'failed', retry: false, text: 'unknown fix' };
  if (!outcome.posted) return { kind: 'said', text: BUTTON_TEXTS.voteRecorded };
  return { kind: 'redraw', posted: outcome.posted };
}
