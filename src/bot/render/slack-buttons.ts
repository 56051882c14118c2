import { z } from 'zod';
import { INCIDENT_ACTIONS } from '../../report/incident.js';
import type { ButtonPress } from '../conversation/buttons.js';
import { type PostedReport, postedReply } from '../conversation/report-store.js';
import { ACTION_IDS, incidentActionId, renderSlack, type SlackMessage } from './slack.js';

/** Every `action_id` the bot's messages carry (renderSlack puts them there); Bolt listens for these. */
export const SLACK_BUTTON_IDS: readonly string[] = [
  ...Object.values(ACTION_IDS),
  ...INCIDENT_ACTIONS.map(incidentActionId),
];

/** Where a pressed button sits: the message's channel, `ts` and thread, and who pressed. */
export interface SlackPressed {
  actionId: string;
  value: string;
  channel: string;
  ts: string;
  thread?: string | undefined;
}

const voteValue = z.object({ fix: z.string().min(1).max(200), codes: z.array(z.string().max(40)).max(20) });

/**
 * A button of a message renderSlack drew, read back as the core's press; null for a value that
 * is not one it wrote (a forged or truncated payload). A report is stored under `slack:<channel>:<ts>`.
 */
export function readSlackButton({ actionId, value, channel, ts }: SlackPressed): ButtonPress | null {
  const key = `slack:${channel}:${ts}`;
  const incident = INCIDENT_ACTIONS.find((action) => incidentActionId(action) === actionId);
  if (incident) return { verb: 'incident', id: value, action: incident, channel };
  if (actionId === ACTION_IDS.showAll) return { verb: 'showAll', key };
  if (actionId === ACTION_IDS.rerun) return value.trim() === '' ? null : { verb: 'rerun', text: value, key };
  if (actionId !== ACTION_IDS.helped && actionId !== ACTION_IDS.notHelped) return null;
  const vote = voteValue.safeParse(parseJson(value));
  if (!vote.success) return null;
  const { fix: fixId, codes } = vote.data;
  return { verb: 'feedback', key, fixId, codes, helped: actionId === ACTION_IDS.helped };
}

/** The stored report redrawn as it was posted, with the votes and the view it has now. */
export function renderSlackPosted(posted: PostedReport): SlackMessage {
  const { rerunText, votes, view = {} } = posted;
  const requestedBy = typeof view.requestedBy === 'string' ? view.requestedBy : undefined;
  return renderSlack(postedReply(posted), {
    requestText: rerunText,
    votes,
    expandAll: view.expandAll === true,
    ...(requestedBy && { requestedBy }),
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
