import { setTimeout as delay } from 'node:timers/promises';
import { type Activity, ActivityTypes, type ConversationReference, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Reply } from '../../../report/reply.js';
import type { AttachedFile } from '../../attachments/images.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import type { Incoming, Surface } from '../../conversation/ports.js';
import {
  type AdaptiveCard,
  renderTeamsCard,
  TEAMS_CARD_CONTENT_TYPE,
  TEAMS_VERBS,
} from '../../render/teams.js';
import type { Watch } from '../../watch/watched-channel.js';
import {
  cardActionSchema,
  INVOKE_CARD,
  INVOKE_MESSAGE,
  type InvokeBody,
  invokeError,
  voteAnswer,
} from './teams-actions.js';
import { teamsAttachments } from './teams-files.js';

export interface TeamsBotDeps {
  core: ChatCore;
  /** Runs `logic` in a new turn of an existing conversation: edits after the user's turn has ended. */
  continueConversation: (
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ) => Promise<void>;
  minUpdateIntervalMs: number;
  /**
   * How long the user's turn may wait for the first card. Teams fails a turn after 10–15 s
   * (platform-limits.md); reading a screenshot first can take longer, so past this budget the
   * turn ends and the card is posted proactively.
   */
  turnBudgetMs?: number;
  /** Captures, during the turn, what fetches the bot's Bot Connector token later (undefined: no auth). */
  tokenSource?: (context: TurnContext) => () => Promise<string | undefined>;
  logger: Logger;
  /**
   * Watched channels: with the RSC permission ChannelMessage.Read.Group the bot receives every
   * channel message; a new root post the policy accepts is answered in its thread without an
   * @mention. Bots cannot react to Teams messages, so the card itself is the mark.
   */
  watch?: Watch;
}

export interface TeamsBot {
  /** The bot's turn logic for `CloudAdapter`. */
  onTurn(context: TurnContext): Promise<void>;
  /**
   * Waits for running triages to post their final card; after `graceMs` the rest are aborted
   * (their card then says the triage failed) and awaited.
   */
  stop(graceMs?: number): Promise<void>;
  /** Resolves once every triage started so far has finished its card (a barrier for tests). */
  idle(): Promise<void>;
  /**
   * Replaces the card of a triage another process lost (its `messageRef`) with `text`. Without a
   * card there is no conversation reference to post to, so the user cannot be told: returns false.
   */
  tellInterrupted(messageRef: string | undefined, text: string): Promise<boolean>;
}

/**
 * The Teams side of the conversation core: turns activities into `Incoming`, implements `Surface`
 * (post the card in the user's turn, then edit it proactively), and handles the card's buttons.
 */
export function createTeamsBot({
  core,
  continueConversation,
  minUpdateIntervalMs,
  turnBudgetMs = 5000,
  tokenSource = () => async () => undefined,
  logger,
  watch,
}: TeamsBotDeps): TeamsBot {
  /** Runs one triage: typing, the card at once, edits as findings arrive. Resolves once the card is posted. */
  async function startTriage(context: TurnContext, incoming: Incoming): Promise<void> {
    const log = logger.child({ platform: 'teams', triageId: incoming.id });
    const reference = TurnContext.getConversationReference(context.activity);
    // A typing indicator keeps spinning after updateActivity unless a message follows
    // (botframework-sdk#6354): send it once, before the card, which stops it.
    await context
      .sendActivity({ type: ActivityTypes.Typing })
      .catch((error) => log.warn({ err: error }, 'typing failed'));
    let cardId: string | undefined;
    let turnOpen = true;
    let posting: Promise<void> | undefined;
    let posted: () => void = () => {};
    const firstPost = new Promise<void>((resolve) => {
      posted = resolve;
    });
    const render = (reply: Reply): Partial<Activity> => {
      if (reply.kind !== 'report' || cardId === undefined) return cardMessage(renderTeamsCard(reply));
      const rerunText = reply.requestText ?? incoming.text;
      return cardMessage(renderTeamsCard(reply, { triageId: cardId, rerunText }));
    };
    const send = async (activity: Partial<Activity>): Promise<string | undefined> => {
      if (turnOpen) return (await context.sendActivity(activity))?.id;
      // The user's turn is over (its context is revoked): post in a new proactive turn.
      let id: string | undefined;
      await continueConversation(reference, async (turn) => {
        // turn.sendActivity would reply to the continuation event's own (random) id: address the
        // user's message instead, as the in-turn reply does.
        const reply = TurnContext.applyConversationReference({ ...activity }, reference);
        id = (await turn.adapter.sendActivities(turn, [reply]))[0]?.id;
      });
      return id;
    };
    const surface: Surface = {
      minUpdateIntervalMs,
      get messageRef() {
        return cardId === undefined
          ? undefined
          : JSON.stringify({ reference: idsOnly(reference), id: cardId });
      },
      async post(reply) {
        posting = (async () => {
          try {
            cardId = await send(render(reply));
          } catch (error) {
            log.error({ err: error }, 'posting the Teams card failed');
            throw error;
          } finally {
            posted();
          }
        })();
        await posting;
      },
      async update(reply) {
        const id = cardId;
        if (id === undefined) return;
        await continueConversation(reference, async (turn) => {
          await turn.updateActivity({ ...render(reply), id });
        }).catch((error) => log.warn({ err: error }, 'updating the Teams card failed'));
      },
    };
    const task = core.answer(incoming, surface, { reportKey: () => cardId });
    // The turn must end within 10–15 s (platform-limits.md): return once the card is up, or
    // when the budget is spent (a screenshot still being read); a post under way finishes first.
    const budget = new AbortController();
    await Promise.race([
      firstPost,
      task,
      delay(turnBudgetMs, undefined, { signal: budget.signal }).catch(() => {}),
    ]);
    budget.abort();
    turnOpen = false;
    await posting?.catch(() => {});
  }

  async function onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const type = activity.conversation.conversationType;
    const mentioned = TurnContext.getMentions(activity).some(
      (m) => m.mentioned?.id === activity.recipient.id,
    );
    // In channels and group chats the bot only answers when @mentioned; in a 1:1 chat, always;
    // in a watched channel also a new root post the unasked policy accepts.
    if ((type === 'channel' || type === 'groupChat') && !mentioned && !(await answersUnasked(activity, type)))
      return;
    const text = (mentioned ? TurnContext.removeRecipientMention(activity) : activity.text) ?? '';
    // A retried delivery never starts a second triage.
    if (activity.id && !(await core.firstDelivery(`teams:${activity.conversation.id}:${activity.id}`)))
      return;
    const files = teamsAttachments(activity.attachments, {
      serviceUrl: activity.serviceUrl,
      token: tokenSource(context),
    });
    await startTriage(context, toIncoming(activity, text.replace(/&nbsp;/g, ' ').trim(), files));
  }

  async function answersUnasked(activity: Activity, type: string | undefined): Promise<boolean> {
    const channelData = activity.channelData as { channel?: { id?: string } } | undefined;
    const channelId = channelData?.channel?.id ?? activity.conversation.id.split(';')[0];
    if (!watch || type !== 'channel' || !channelId || !watch.watches('teams', channelId)) return false;
    // A root post's conversation id ends in ;messageid=<its own id>; a thread reply's in the root's.
    const root = activity.conversation.id.match(/;messageid=(\d+)/)?.[1];
    const text = (activity.text ?? '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
    const incoming = toIncoming(activity, text);
    const decision = await watch.decide({
      incoming,
      ts: activity.id ?? '',
      topLevel: root === undefined || root === activity.id,
    });
    if (!decision.answer)
      logger.debug({ channel: channelId, reason: decision.code }, 'watched message not answered');
    return decision.answer;
  }

  /** A card button: record a vote and redraw the card, or run the probes again. */
  async function onAction(context: TurnContext, raw: unknown): Promise<InvokeBody> {
    const parsed = cardActionSchema.safeParse(raw);
    if (!parsed.success) return invokeError(400, 'unknown card action');
    const action = parsed.data;
    const activity = context.activity;
    if (action.verb === TEAMS_VERBS.rerun) {
      await startTriage(context, toIncoming(activity, action.text));
      return { statusCode: 200, type: INVOKE_MESSAGE, value: 'Running the probes again…' };
    }
    const { triageId, fixId, helped } = action;
    const voter = {
      user: activity.from.aadObjectId ?? activity.from.id,
      ...(activity.from.name && { name: activity.from.name }),
    };
    return voteAnswer(
      triageId,
      await core.vote({ key: triageId, fixId, helped, ...voter, platform: 'teams' }),
    );
  }

  return {
    async onTurn(context) {
      const activity = context.activity;
      if (activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action') {
        const body = await onAction(
          context,
          (activity.value as { action?: { data?: unknown } } | undefined)?.action?.data,
        );
        await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
        return;
      }
      if (activity.type !== ActivityTypes.Message) return; // conversationUpdate, typing, reactions: nothing to say
      if (activity.value !== undefined && activity.value !== null && !activity.text) {
        // Action.Submit (clients without Action.Execute): the card's data arrives as a message value.
        const body = await onAction(context, activity.value);
        if (body.type === INVOKE_CARD && activity.replyToId)
          await context.updateActivity({
            ...cardMessage(body.value as AdaptiveCard),
            id: activity.replyToId,
          });
        return;
      }
      await onMessage(context);
    },
    async tellInterrupted(messageRef, text) {
      const card = messageRef === undefined ? undefined : parseCardRef(messageRef);
      if (!card) return false;
      await continueConversation(card.reference, async (turn) => {
        await turn.updateActivity({ ...cardMessage(renderTeamsCard({ kind: 'text', text })), id: card.id });
      });
      return true;
    },
    idle: () => core.idle(),
    stop: (graceMs) => core.drain(graceMs),
  };
}

function toIncoming(activity: Activity, text: string, files: AttachedFile[] = []): Incoming {
  const thread = activity.conversation.id.match(/;messageid=(\d+)/)?.[1] ?? activity.replyToId;
  return {
    platform: 'teams',
    id: activity.id ?? `${activity.conversation.id}:${Date.now()}`,
    user: activity.from.aadObjectId ?? activity.from.id,
    channel: activity.conversation.id,
    ...(thread !== undefined && { thread }),
    text,
    ...(files.length > 0 && { files }),
  };
}

/** What another process needs to edit the card: ids and the service URL, no names or text. */
function idsOnly(reference: Partial<ConversationReference>): Partial<ConversationReference> {
  const { serviceUrl, channelId, conversation, bot, activityId } = reference;
  return {
    ...(serviceUrl !== undefined && { serviceUrl }),
    ...(channelId !== undefined && { channelId }),
    ...(activityId !== undefined && { activityId }),
    ...(bot && { bot: { id: bot.id, name: '' } }),
    ...(conversation && {
      conversation: {
        id: conversation.id,
        isGroup: conversation.isGroup,
        conversationType: conversation.conversationType,
        name: '',
        ...(conversation.tenantId !== undefined && { tenantId: conversation.tenantId }),
      },
    }),
  };
}

const cardRefSchema = z.object({
  reference: z.looseObject({ serviceUrl: z.string(), conversation: z.looseObject({ id: z.string() }) }),
  id: z.string().min(1),
});

function parseCardRef(
  messageRef: string,
): { reference: Partial<ConversationReference>; id: string } | undefined {
  try {
    const parsed = cardRefSchema.safeParse(JSON.parse(messageRef));
    if (!parsed.success) return undefined;
    // The fields botbuilder addresses by were checked; the rest passes through as stored.
    return {
      reference: parsed.data.reference as unknown as Partial<ConversationReference>,
      id: parsed.data.id,
    };
  } catch {
    return undefined;
  }
}

function cardMessage(card: AdaptiveCard): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    attachments: [{ contentType: TEAMS_CARD_CONTENT_TYPE, content: card }],
  };
}
