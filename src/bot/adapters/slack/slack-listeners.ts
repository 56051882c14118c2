import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { SHORTCUT_CALLBACK_ID, SLASH_COMMAND } from '../../../config/slack-env.js';
import type { FilesOf } from '../../attachments/slack-files.js';
import { pressButton } from '../../conversation/buttons.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import type { EditBudget } from '../../conversation/edit-budget.js';
import { BUTTON_TEXTS } from '../../conversation/replies.js';
import * as translate from '../../incoming/slack.js';
import { readSlackButton, renderSlackPosted, SLACK_BUTTON_IDS } from '../../render/slack-buttons.js';
import type { Watch } from '../../watch/watched-channel.js';
import { createSlackSurface } from './slack-surface.js';

// Every Bolt listener of the app: what Slack sends (messages, mentions, reactions, `/rdp`, the
// message shortcut, button presses) read by src/bot/incoming/slack.ts and handed to the core.

/** What the listeners share: the core, the one way to answer, the files reader, the watch. */
export interface Listening {
  core: ChatCore;
  answer: AnswerInSlack;
  filesOf: FilesOf;
  watch: Watch | undefined;
  editBudget: EditBudget;
  log: Logger;
}

/** Direct messages, mentions, watched channels, reactions, `/rdp` and the message shortcut. */
export function registerListeners(
  app: App,
  { core, answer, filesOf, watch, editBudget, log }: Listening,
): void {
  /** Slack re-sends an event it thinks was lost (x-slack-retry-num); each message is answered once. */
  const fresh = (id: string, body: { team_id?: string }) =>
    core.firstDelivery(`slack:${body.team_id ?? ''}:${id}`);
  app.event('message', async ({ event, body, context, client }) => {
    const { channel, channel_type } = event as translate.SlackMessageLike;
    if (watch?.watches('slack', channel) && channel_type !== 'im') {
      const watched = translate.fromWatched(event, context.botUserId, filesOf);
      if (watched && (await fresh(`watch:${watched.incoming.id}`, body)))
        void answerWatched({ watch, editBudget }, watched, client, context.botUserId).catch(
          (error: unknown) => log.error({ err: error }, 'watched message failed'),
        );
      return;
    }
    const translated = translate.fromDirectMessage(event, context.botUserId, filesOf);
    if (translated && (await fresh(translated.incoming.id, body))) void answer(translated, client);
  });
  app.event('app_mention', async ({ event, body, context, client }) => {
    const translated = translate.fromMention(event, context.botUserId, filesOf);
    if (translated && (await fresh(translated.incoming.id, body))) void answer(translated, client);
  });
  app.event('reaction_added', async ({ event: { item, reaction: name, user } }) => {
    if (item.type !== 'message') return;
    const reaction = { platform: 'slack', channel: item.channel, ts: item.ts, name, user };
    await watch?.onReaction(reaction).catch((error: unknown) => log.error({ err: error }, 'reaction failed'));
  });
  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const translated = translate.fromCommand(command);
    await ack({ response_type: 'ephemeral', text: translated.ack });
    if (translated.answer) void answer(translated.answer, client, { requestedBy: command.user_id, respond });
  });
  app.shortcut(SHORTCUT_CALLBACK_ID, async ({ shortcut, ack, client, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const message = { ...shortcut.message, channel: shortcut.channel.id };
    const requestedBy = shortcut.user.id;
    void answer(translate.fromShortcut(message, requestedBy), client, { requestedBy, respond });
  });
}

/** A watched channel's message through the core's watch: 👀 while probing, ✅ when answered. */
function answerWatched(
  { watch, editBudget }: { watch: Watch; editBudget: EditBudget },
  watched: NonNullable<ReturnType<typeof translate.fromWatched>>,
  client: webApi.WebClient,
  botUserId: string | undefined,
) {
  const { channel } = watched.target;
  const surface = createSlackSurface(client, watched.target, {
    render: { requestText: watched.incoming.text },
  });
  const where = { channel, timestamp: watched.ts };
  return watch.handle(watched, {
    surface,
    answer: { reportKey: () => surface.messageRef && `slack:${channel}:${surface.messageRef}`, editBudget },
    threadRepliers: async () => {
      const { messages = [] } = await client.conversations.replies({ channel, ts: watched.ts, limit: 50 });
      return messages.filter((m) => m.ts !== watched.ts && m.user !== botUserId).map((m) => m.user);
    },
    // A reaction that fails (missing reactions:write, already there) only loses the mark.
    react: (name, on) =>
      (on ? client.reactions.add({ ...where, name }) : client.reactions.remove({ ...where, name })).then(
        () => {},
        () => {},
      ),
  });
}

/** Runs one triage in Slack (slack-app.ts); `existingTs` edits that message instead of posting. */
export type AnswerInSlack = (
  translated: translate.Translated,
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
