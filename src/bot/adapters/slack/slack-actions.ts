import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import { z } from 'zod';
import { INCIDENT_ACTIONS } from '../../../report/incident.js';
import { voteAnswer } from '../../conversation/buttons.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import { BUTTON_TEXTS } from '../../conversation/replies.js';
import type { PostedReport } from '../../conversation/report-store.js';
import { ACTION_IDS, incidentActionId, renderSlack } from '../../render/slack.js';
import type { Translated } from './slack-incoming.js';

/** Runs one triage in Slack (slack-app.ts); `existingTs` edits that message instead of posting. */
export type AnswerInSlack = (
  translated: Translated,
  client: webApi.WebClient,
  options?: { existingTs?: string; requestedBy?: string; respond?: RespondFn },
) => ReturnType<ChatCore['answer']>;

interface Pressed {
  body: BlockAction<ButtonAction>;
  value: string;
  channel: string;
  ts: string;
  client: webApi.WebClient;
  respond: RespondFn;
  tell: (text: string) => Promise<unknown>;
}

const voteValue = z.object({ fix: z.string().min(1).max(200), codes: z.array(z.string().max(40)).max(20) });

/**
 * The report's buttons: a vote per fix (stored, shown in the message), "All fixes" (expands in
 * place), "Run probes again" (re-runs in the same message). Each acks first (Bolt answers an
 * un-acked action 404 after ~3 s), then works.
 */
export function registerReportActions(app: App, core: ChatCore, rerun: AnswerInSlack, now: () => number) {
  const on = (actionId: string, run: (pressed: Pressed) => Promise<unknown>) =>
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: actionId }, async (args) => {
      await args.ack();
      const { body, action, client, respond } = args;
      const [channel, ts] = [body.channel?.id, body.message?.ts];
      const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      if (channel && ts) await run({ body, value: action.value ?? '', channel, ts, client, respond, tell });
    });
  const redraw = ({ client, channel, ts }: Pressed, posted: PostedReport) =>
    client.chat.update({ channel, ts, ...renderPosted(posted) });

  for (const helped of [true, false])
    on(helped ? ACTION_IDS.helped : ACTION_IDS.notHelped, async (pressed) => {
      const parsed = voteValue.safeParse(parseJson(pressed.value));
      if (!parsed.success) return undefined;
      const { fix: fixId, codes } = parsed.data;
      const key = `slack:${pressed.channel}:${pressed.ts}`;
      const voter = { user: pressed.body.user.id, platform: 'slack' };
      const answer = voteAnswer(await core.vote({ key, fixId, codes, helped, ...voter }));
      if (answer.kind === 'redraw') return redraw(pressed, answer.posted);
      return answer.kind === 'said' || answer.retry ? pressed.tell(answer.text) : undefined;
    });

  // An incident's post: the core checks the presser's roles, audits, and the post is redrawn.
  for (const action of INCIDENT_ACTIONS)
    on(incidentActionId(action), async ({ body, value: id, channel, tell }) =>
      tell(await core.pressIncident({ id, action, by: { platform: 'slack', user: body.user.id, channel } })),
    );

  on(ACTION_IDS.showAll, async (pressed) => {
    const posted = core.reports.get(`slack:${pressed.channel}:${pressed.ts}`);
    if (!posted) return pressed.tell(BUTTON_TEXTS.expired);
    posted.view = { ...posted.view, expandAll: true };
    return redraw(pressed, posted);
  });

  on(ACTION_IDS.rerun, async ({ body, value: text, channel, ts, client, respond, tell }) => {
    if (text.trim() === '') return undefined;
    if (core.isRunning(`slack:${channel}:${ts}`)) return tell(BUTTON_TEXTS.alreadyRunning);
    const thread = body.message?.thread_ts;
    const where = { channel, ...(thread && { thread }) };
    const incoming = {
      platform: 'slack',
      id: `${channel}:${ts}:rerun:${now()}`,
      user: body.user.id,
      text,
      ...where,
    };
    return void rerun({ incoming, target: where }, client, {
      existingTs: ts,
      requestedBy: body.user.id,
      respond,
    });
  });
}

function renderPosted({ report, note, rerunText, votes, view = {} }: PostedReport) {
  const requestedBy = typeof view.requestedBy === 'string' ? view.requestedBy : undefined;
  return renderSlack(
    { kind: 'report', report, ...(note !== undefined && { note }) },
    {
      requestText: rerunText,
      votes,
      expandAll: view.expandAll === true,
      ...(requestedBy && { requestedBy }),
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
