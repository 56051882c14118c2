import type { App, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { SHORTCUT_CALLBACK_ID, SLASH_COMMAND } from '../../../config/slack-env.js';
import type { FilesOf } from '../../attachments/slack-files.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import type { EditBudget } from '../../conversation/edit-budget.js';
import type { Watch } from '../../watch/watched-channel.js';
import type { AnswerInSlack } from './slack-actions.js';
import * as translate from './slack-incoming.js';
import { createSlackSurface } from './slack-surface.js';

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
