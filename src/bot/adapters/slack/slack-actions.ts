import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import { pressButton } from '../../conversation/buttons.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import { BUTTON_TEXTS } from '../../conversation/replies.js';
import { readSlackButton, renderSlackPosted, SLACK_BUTTON_IDS } from '../../render/slack-buttons.js';
import type { Translated } from './slack-incoming.js';

/** Runs one triage in Slack (slack-app.ts); `existingTs` edits that message instead of posting. */
export type AnswerInSlack = (
  translated: Translated,
  client: webApi.WebClient,
  options?: { existingTs?: string; requestedBy?: string; respond?: RespondFn },
) => ReturnType<ChatCore['answer']>;

/**
 * The buttons of the bot's messages (votes, "All fixes", "Run probes again", an incident's
 * acknowledge/resolve/reopen): read back as the core's press, answered by redrawing the message
 * or by an ephemeral line to the presser. Each acks first (Slack shows an error on an action not
 * acked within 3 s), then works.
 */
export function registerReportActions(app: App, core: ChatCore, rerun: AnswerInSlack, now: () => number) {
  for (const actionId of SLACK_BUTTON_IDS)
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: actionId }, async (args) => {
      await args.ack();
      const { body, action, client, respond } = args;
      const [channel, ts, thread] = [body.channel?.id, body.message?.ts, body.message?.thread_ts];
      if (!channel || !ts) return;
      const press = readSlackButton({ actionId, value: action.value ?? '', channel, ts });
      if (!press) return;
      const user = body.user.id;
      const where = { channel, ...(thread && { thread }) };
      const answer = await pressButton(core, press, { user, platform: 'slack' }, async (text) => {
        const incoming = { platform: 'slack', id: `${channel}:${ts}:rerun:${now()}`, user, text, ...where };
        void rerun({ incoming, target: where }, client, { existingTs: ts, requestedBy: user, respond });
      });
      if (answer.kind === 'redraw')
        await client.chat.update({ channel, ts, ...renderSlackPosted(answer.posted) });
      // The re-run's own message says it is running; a vote that was refused for a bad fix says nothing.
      else if (answer.kind === 'said' ? answer.text !== BUTTON_TEXTS.rerunning : answer.retry)
        await respond({ response_type: 'ephemeral', replace_original: false, text: answer.text });
    });
}
