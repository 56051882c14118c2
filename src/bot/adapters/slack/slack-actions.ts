import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { ChatCore } from '../../conversation/chat-core.js';
import type { PostedReport } from '../../conversation/report-store.js';
import { ACTION_IDS, renderSlack } from '../../render/slack.js';
import type { Translated } from './slack-incoming.js';

const voteValue = z.object({ fix: z.string().min(1).max(200), codes: z.array(z.string().max(40)).max(20) });
const EXPIRED_TEXT =
  'I no longer have this report in memory (the bot restarted or it is old). Press "Run probes again" for a fresh one.';

type Pressed = BlockAction<ButtonAction>;

/** Runs one triage in Slack (slack-app.ts); `existingTs` edits that message instead of posting. */
export type AnswerInSlack = (
  translated: Translated,
  client: webApi.WebClient,
  options?: {
    existingTs?: string;
    requestedBy?: string;
    respond?: (message: Record<string, unknown>) => Promise<unknown>;
  },
) => ReturnType<ChatCore['answer']>;

/**
 * The report's buttons: a vote per fix (stored, shown in the message), "All fixes" (expands in
 * place), "Run probes again" (re-runs in the same message). Each acks first (Bolt answers an
 * un-acked action 404 after ~3 s), then works.
 */
export function registerReportActions(
  app: App,
  { core, rerun, now }: { core: ChatCore; rerun: AnswerInSlack; now: () => number },
): void {
  const button = (
    actionId: string,
    run: (args: {
      body: Pressed;
      action: ButtonAction;
      respond: RespondFn;
      channel: string;
      ts: string;
      client: Parameters<AnswerInSlack>[1];
    }) => Promise<unknown>,
  ) =>
    app.action<Pressed>(
      { type: 'block_actions', action_id: actionId },
      async ({ ack, body, action, client, respond }) => {
        await ack();
        const channel = body.channel?.id;
        const ts = body.message?.ts;
        if (channel && ts) await run({ body, action, respond, channel, ts, client });
      },
    );
  const tell = (respond: RespondFn, text: string) =>
    respond({ response_type: 'ephemeral', replace_original: false, text });

  for (const helped of [true, false])
    button(
      helped ? ACTION_IDS.helped : ACTION_IDS.notHelped,
      async ({ body, action, respond, channel, ts, client }) => {
        const parsed = voteValue.safeParse(parseJson(action.value));
        if (!parsed.success) return undefined;
        const key = `slack:${channel}:${ts}`;
        const { fix: fixId, codes } = parsed.data;
        const outcome = await core.vote({ key, fixId, codes, helped, user: body.user.id, platform: 'slack' });
        if (outcome.status === 'not-stored')
          return tell(respond, 'Your vote could not be stored; please try again later.');
        if (outcome.status !== 'recorded') return undefined;
        if (!outcome.posted) return tell(respond, 'Thanks — your vote is recorded.');
        return client.chat.update({ channel, ts, ...renderPosted(outcome.posted) });
      },
    );

  button(ACTION_IDS.showAll, async ({ respond, channel, ts, client }) => {
    const posted = core.reports.get(`slack:${channel}:${ts}`);
    if (!posted) return tell(respond, EXPIRED_TEXT);
    posted.view = { ...posted.view, expandAll: true };
    return client.chat.update({ channel, ts, ...renderPosted(posted) });
  });

  button(ACTION_IDS.rerun, async ({ body, action, respond, channel, ts, client }) => {
    const text = action.value ?? '';
    if (text.trim() === '') return undefined;
    if (core.isRunning(`slack:${channel}:${ts}`)) return tell(respond, 'The probes are already running.');
    const thread = body.message?.thread_ts;
    const incoming = {
      platform: 'slack',
      id: `${channel}:${ts}:rerun:${now()}`,
      user: body.user.id,
      channel,
      text,
      ...(thread && { thread }),
    };
    return void rerun({ incoming, target: { channel, ...(thread && { thread }) } }, client, {
      existingTs: ts,
      requestedBy: body.user.id,
      respond,
    });
  });
}

function renderPosted({ report, note, rerunText, votes, view = {} }: PostedReport) {
  return renderSlack(
    { kind: 'report', report, ...(note !== undefined && { note }) },
    {
      requestText: rerunText,
      votes,
      ...(view.expandAll === true && { expandAll: true }),
      ...(typeof view.requestedBy === 'string' && { requestedBy: view.requestedBy }),
    },
  );
}

/** The `error` field of a Web API answer (`invalid_auth`, `not_in_channel`), or the error's message. */
export function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
