import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { ActivityTypes, CardFactory, TurnContext } from 'botbuilder';
import type { Reply } from '../../../report/reply.js';
import type { AttachedFile } from '../../attachments/images.js';
import { isAddressed } from '../../conversation/addressed.js';
import { answerInTurn, type TurnMessages } from '../../conversation/answer-in-turn.js';
import {
  type ConversationReferences,
  cardRef,
  channelOf,
  parseCardRef,
} from '../../conversation/conversation-references.js';
import type { Incoming, ShowWhere } from '../../conversation/ports.js';
import { type AdaptiveCard, renderTeamsCard } from '../../render/teams.js';
import type { WatchedMessage } from '../../watch/watched-channel.js';
import type { surfaceCore } from '../surface-core.js';
import { onCardAction } from './teams-actions.js';
import { teamsAttachments } from './teams-files.js';

/**
 * The Teams side of the conversation core: turns activities into `Incoming`, posts the card in the
 * user's turn and edits it proactively, and handles the card's buttons. Watched channels: with the
 * RSC permission ChannelMessage.Read.Group the bot receives every channel message; a new root post
 * the policy accepts is answered in its thread without an @mention. Bots cannot react to Teams
 * messages, so the card itself is the mark.
 */
export interface TeamsBot extends ReturnType<typeof surfaceCore> {
  /** Runs proactive turns (edits after the user's turn has ended) and holds each turn's connector client. */
  adapter: Pick<CloudAdapter, 'continueConversationAsync' | 'ConnectorClientKey'>;
  /** Empty in Emulator mode: no authentication, so no token for attachments either. */
  appId: string;
  minUpdateIntervalMs: number;
  /**
   * How long the user's turn may wait for the first card. Teams fails a turn after 10–15 s
   * (platform-limits.md); reading a screenshot first can take longer, so past this budget the
   * turn ends and the card is posted proactively.
   */
  turnBudgetMs: number;
  /** The conversations seen, and the helpdesk channel's, for messages nobody just asked for. */
  references: ConversationReferences;
}

/** What a proactive message needs: serve's adapter, or a post-only one (`rdp-triage monitor --once`). */
export type Outbound = Pick<TeamsBot, 'adapter' | 'appId' | 'references'>;

/**
 * Replaces the card of a triage another process lost (its `messageRef`) with `text`. Without a
 * card there is no conversation reference to post to, so the user cannot be told: returns false.
 */
export async function tellInterrupted(bot: Outbound, messageRef: string | undefined, text: string) {
  if (!parseCardRef(messageRef)) return false;
  await showMessage(bot, { channel: '', messageRef: messageRef as string }, { kind: 'text', text });
  return true;
}

/**
 * A message nobody just asked for (an incident's helpdesk post, a reporter told it is resolved),
 * in a proactive turn: the card of `messageRef` replaced, or a new card in the conversation of
 * `near` or in `channel`. Resolves to the shown card's `messageRef`; throws when there is no
 * conversation reference to write with (the caller retries and logs).
 */
export async function showMessage(bot: Outbound, where: ShowWhere, reply: Reply): Promise<string> {
  const message = cardMessage(renderTeamsCard(reply));
  const card = parseCardRef(where.messageRef);
  if (card) {
    await editCard(bot, card.reference as Partial<ConversationReference>, card.id, message);
    return where.messageRef as string;
  }
  const reference = parseCardRef(where.near)?.reference ?? bot.references.forChannel(where.channel);
  if (!reference) throw new Error(`no Teams conversation reference for ${where.channel} yet`);
  const id = await postProactive(bot, reference as Partial<ConversationReference>, message);
  const ref = id && cardRef(reference, id);
  if (!ref) throw new Error('the Bot Connector answered without an activity id');
  return ref;
}

/** Replaces the card `id` in a proactive turn: the user's turn that posted it is over by then. */
function editCard(bot: Outbound, ref: Partial<ConversationReference>, id: string, card: Partial<Activity>) {
  return bot.adapter.continueConversationAsync(bot.appId, ref, async (turn) => {
    await turn.updateActivity({ ...card, id });
  });
}

/** The bot's turn logic for `CloudAdapter`. */
export async function onTurn(deps: TeamsBot, context: TurnContext): Promise<void> {
  const activity = context.activity;
  // Every activity (an install, a mention, a message) tells where the bot can write later.
  deps.references.learn(TurnContext.getConversationReference(activity), channelOf(activity));
  const rerun = (text: string) => startTriage(deps, context, toIncoming(activity, text));
  const presser = { ...senderOf(activity), channel: channelOf(activity) ?? activity.conversation.id };
  if (activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action') {
    const data = (activity.value as { action?: { data?: unknown } } | undefined)?.action?.data;
    const body = await onCardAction(deps.core, data, presser, rerun);
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
    return;
  }
  if (activity.type !== ActivityTypes.Message) return; // conversationUpdate, typing, reactions: nothing to say
  if (activity.value !== undefined && activity.value !== null && !activity.text) {
    // Action.Submit (clients without Action.Execute): the card's data arrives as a message value.
    const body = await onCardAction(deps.core, activity.value, presser, rerun);
    if (body.type === CardFactory.contentTypes.adaptiveCard && activity.replyToId)
      await context.updateActivity({ ...cardMessage(body.value as AdaptiveCard), id: activity.replyToId });
    // A line for the presser (Action.Execute shows it by itself): a reply in the card's thread.
    else if (body.type === 'application/vnd.microsoft.activity.message')
      await context.sendActivity(String(body.value));
    return;
  }
  await onMessage(deps, context);
}

async function onMessage(deps: TeamsBot, context: TurnContext): Promise<void> {
  const activity = context.activity;
  const type = activity.conversation.conversationType;
  const mentioned = TurnContext.getMentions(activity).some((m) => m.mentioned?.id === activity.recipient.id);
  const channel = channelOf(activity);
  const where = { platform: 'teams', shared: type === 'channel' || type === 'groupChat', mentioned, channel };
  if (!(await isAddressed(where, deps.watch, () => watchedMessage(activity), deps.log))) return;
  const text = (mentioned ? TurnContext.removeRecipientMention(activity) : activity.text) ?? '';
  // A retried delivery never starts a second triage.
  if (activity.id && !(await deps.core.firstDelivery(`teams:${activity.conversation.id}:${activity.id}`)))
    return;
  const files = teamsAttachments(activity, { token: tokenSource(deps, context) });
  await startTriage(deps, context, toIncoming(activity, text.replace(/&nbsp;/g, ' ').trim(), files));
}

/** A channel post as the watch reads it: markup stripped, and whether it starts a thread. */
function watchedMessage(activity: Activity): WatchedMessage {
  const root = threadOf(activity);
  const text = (activity.text ?? '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
  return {
    incoming: toIncoming(activity, text),
    ts: activity.id ?? '',
    topLevel: root === undefined || root === activity.id,
  };
}

/** Runs one triage: typing, the card at once, edits as findings arrive. Resolves once the card is posted. */
async function startTriage(deps: TeamsBot, context: TurnContext, incoming: Incoming): Promise<void> {
  // A typing indicator keeps spinning after updateActivity unless a message follows
  // (botframework-sdk#6354): send it once, before the card, which stops it.
  await context
    .sendActivity({ type: ActivityTypes.Typing })
    .catch((error) => deps.log.warn({ err: error, triageId: incoming.id }, 'typing failed'));
  await answerInTurn(deps.core, incoming, cards(deps, context), deps.turnBudgetMs);
}

/** The triage's card: posted in the user's turn while it lasts, else (and always when edited) proactively. */
function cards(deps: TeamsBot, context: TurnContext): TurnMessages<Partial<Activity>> {
  const reference = TurnContext.getConversationReference(context.activity);
  return {
    minUpdateIntervalMs: deps.minUpdateIntervalMs,
    render: (reply, posted) =>
      cardMessage(renderTeamsCard(reply, posted && { triageId: posted.id, rerunText: posted.rerunText })),
    async post(message, inTurn) {
      if (inTurn) return (await context.sendActivity(message))?.id;
      // The user's turn is over (its context is revoked): post in a new proactive turn.
      return postProactive(deps, reference, message);
    },
    edit: (id, message) => editCard(deps, reference, id, message),
    messageRef: (id) => cardRef(reference, id),
    noun: 'Teams card',
    log: deps.log,
  };
}

/** Posts `message` in a new proactive turn; resolves to its activity id. */
async function postProactive(
  bot: Outbound,
  reference: Partial<ConversationReference>,
  message: Partial<Activity>,
) {
  let id: string | undefined;
  await bot.adapter.continueConversationAsync(bot.appId, reference, async (turn) => {
    // turn.sendActivity would reply to the continuation event's own (random) id: address the
    // reference's message instead (the user's, as the in-turn reply does), or none: a new post.
    const reply = TurnContext.applyConversationReference({ ...message }, reference);
    id = (await turn.adapter.sendActivities(turn, [reply]))[0]?.id;
  });
  return id;
}

/** Attachments need the bot's token: take the turn's connector client now, ask it for a token later. */
function tokenSource({ adapter, appId }: TeamsBot, context: TurnContext) {
  const client = context.turnState.get(adapter.ConnectorClientKey) as
    | { credentials?: { getToken?: () => Promise<string> } }
    | undefined;
  return async () => (appId !== '' ? client?.credentials?.getToken?.() : undefined);
}

function toIncoming(activity: Activity, text: string, files: AttachedFile[] = []): Incoming {
  const thread = threadOf(activity) ?? activity.replyToId;
  return {
    platform: 'teams',
    id: activity.id ?? `${activity.conversation.id}:${Date.now()}`,
    user: senderOf(activity).user,
    channel: activity.conversation.id,
    ...(thread !== undefined && { thread }),
    text,
    ...(files.length > 0 && { files }),
  };
}

/** A root post's conversation id ends in ;messageid=<its own id>; a thread reply's in the root's. */
function threadOf(activity: Activity): string | undefined {
  return activity.conversation.id.match(/;messageid=(\d+)/)?.[1];
}

/**
 * Who sent the activity: the Entra ID object id when Teams sends one (roles are granted by it), else
 * the channel's user id; and the display name, when there is one (a vote shows it).
 */
function senderOf(activity: Activity): { user: string; name?: string } {
  const user = activity.from.aadObjectId ?? activity.from.id;
  return { user, ...(activity.from.name && { name: activity.from.name }) };
}

function cardMessage(card: AdaptiveCard): Partial<Activity> {
  return { type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(card)] };
}
