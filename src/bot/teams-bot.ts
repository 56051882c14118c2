import { setTimeout as delay } from 'node:timers/promises';
import { type Activity, ActivityTypes, type ConversationReference, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DedupeStore } from '../store/dedupe-store.js';
import type { FeedbackStore, FeedbackVote } from '../store/feedback-store.js';
import type { Report } from '../triage/report.js';
import type { Conversation, Incoming, Reply, Surface } from './conversation.js';
import type { AttachedFile } from './images.js';
import {
  type AdaptiveCard,
  RERUN_TEXT_MAX,
  renderTeamsCard,
  TEAMS_CARD_CONTENT_TYPE,
  TEAMS_VERBS,
  type TeamsVote,
} from './render/teams.js';
import { teamsAttachments } from './teams-files.js';

export interface TeamsBotDeps {
  conversation: Conversation;
  feedback: FeedbackStore;
  /** Called after a vote is stored, so the next triage ranks with it. */
  onVote?: (vote: FeedbackVote) => Promise<void>;
  /** Drops retried deliveries (shared across replicas when it is the Redis store). */
  dedupe: DedupeStore;
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
  clock?: () => Date;
}

export interface TeamsBot {
  /** The bot's turn logic for `CloudAdapter`. */
  onTurn(context: TurnContext): Promise<void>;
  /**
   * Waits for running triages to post their final card; after `graceMs` the rest are aborted
   * (their card then says the triage failed) and awaited.
   */
  stop(graceMs?: number): Promise<void>;
}

/** What a card button sends back (`Action.Execute` data, or the `Action.Submit` fallback's `value`). */
const actionSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal(TEAMS_VERBS.feedback),
    triageId: z.string().min(1).max(512),
    fixId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    helped: z.boolean(),
  }),
  z.object({ verb: z.literal(TEAMS_VERBS.rerun), text: z.string().min(1).max(RERUN_TEXT_MAX) }),
]);
type CardAction = z.infer<typeof actionSchema>;

/** A posted report card, kept so a vote can redraw it. */
interface CardState {
  report: Report;
  /** What was read from a screenshot, shown above the report. */
  note?: string;
  rerunText: string;
  votes: Record<string, TeamsVote>;
}

const MAX_REMEMBERED = 500;
/** Teams retries a delivery that got no answer within about 15 s; a few minutes covers every retry. */
const DEDUPE_TTL_MS = 10 * 60_000;

// Universal Actions answer types (adaptiveCard/action invoke response).
const INVOKE_CARD = TEAMS_CARD_CONTENT_TYPE;
const INVOKE_MESSAGE = 'application/vnd.microsoft.activity.message';
const INVOKE_ERROR = 'application/vnd.microsoft.error';

/**
 * The Teams side of the conversation core: turns activities into `Incoming`, implements `Surface`
 * (post the card in the user's turn, then edit it proactively), and handles the card's buttons.
 */
export function createTeamsBot({
  conversation,
  feedback,
  onVote = async () => {},
  dedupe,
  continueConversation,
  minUpdateIntervalMs,
  turnBudgetMs = 5000,
  tokenSource = () => async () => undefined,
  logger,
  clock = () => new Date(),
}: TeamsBotDeps): TeamsBot {
  const cards = new Map<string, CardState>();
  const running = new Set<Promise<unknown>>();
  const stopping = new AbortController();

  const remember = (cardId: string, state: CardState) => {
    cards.set(cardId, state);
    // Maps iterate in insertion order: the first key is the oldest.
    if (cards.size > MAX_REMEMBERED) cards.delete(cards.keys().next().value as string);
  };

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
      const state: CardState = {
        report: reply.report,
        ...(reply.note !== undefined && { note: reply.note }),
        rerunText: incoming.text,
        votes: {},
      };
      remember(cardId, state);
      return cardMessage(renderTeamsCard(reply, { triageId: cardId, rerunText: state.rerunText }));
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
    const task = conversation
      .handle(incoming, surface, stopping.signal)
      .catch((error) => log.error({ err: error }, 'Teams triage failed'))
      .finally(() => running.delete(task));
    running.add(task);
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
    // In channels and group chats the bot only answers when @mentioned; in a 1:1 chat, always.
    if ((type === 'channel' || type === 'groupChat') && !mentioned) return;
    const text = (mentioned ? TurnContext.removeRecipientMention(activity) : activity.text) ?? '';
    // A retried delivery never starts a second triage.
    if (
      activity.id &&
      !(await dedupe.claim(`teams:${activity.conversation.id}:${activity.id}`, DEDUPE_TTL_MS))
    )
      return;
    const files = teamsAttachments(activity.attachments, {
      serviceUrl: activity.serviceUrl,
      token: tokenSource(context),
    });
    await startTriage(context, toIncoming(activity, text.replace(/&nbsp;/g, ' ').trim(), files));
  }

  /** A card button: record a vote and redraw the card, or run the probes again. */
  async function onAction(context: TurnContext, raw: unknown): Promise<InvokeBody> {
    const parsed = actionSchema.safeParse(raw);
    if (!parsed.success)
      return {
        statusCode: 400,
        type: INVOKE_ERROR,
        value: { code: 'BadRequest', message: 'unknown card action' },
      };
    const action: CardAction = parsed.data;
    const activity = context.activity;
    if (action.verb === TEAMS_VERBS.rerun) {
      await startTriage(context, toIncoming(activity, action.text));
      return { statusCode: 200, type: INVOKE_MESSAGE, value: 'Running the probes again…' };
    }
    const state = cards.get(action.triageId);
    if (state && !state.report.fixes.some((fix) => fix.id === action.fixId))
      return { statusCode: 400, type: INVOKE_ERROR, value: { code: 'BadRequest', message: 'unknown fix' } };
    const vote: FeedbackVote = {
      triageId: action.triageId,
      fixId: action.fixId,
      codes: state?.report.understanding.codes.map((code) => code.value) ?? [],
      helped: action.helped,
      user: activity.from.aadObjectId ?? activity.from.id,
      platform: 'teams',
      at: clock().toISOString(),
    };
    await feedback.record(vote);
    await onVote(vote).catch((error) => logger.warn({ err: error }, 'refreshing feedback statistics failed'));
    if (!state) return { statusCode: 200, type: INVOKE_MESSAGE, value: 'Thanks, your vote is recorded.' };
    state.votes[action.fixId] = { helped: action.helped, by: activity.from.name ?? 'someone' };
    const card = renderTeamsCard(
      { kind: 'report', report: state.report, ...(state.note !== undefined && { note: state.note }) },
      { triageId: action.triageId, rerunText: state.rerunText, votes: state.votes },
    );
    return { statusCode: 200, type: INVOKE_CARD, value: card };
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
    async stop(graceMs = 30_000) {
      const all = Promise.allSettled([...running]);
      const grace = new AbortController();
      await Promise.race([all, delay(graceMs, undefined, { signal: grace.signal }).catch(() => {})]);
      grace.abort();
      stopping.abort();
      await all;
    },
  };
}

interface InvokeBody {
  statusCode: number;
  type: string;
  value: unknown;
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

function cardMessage(card: AdaptiveCard): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    attachments: [{ contentType: TEAMS_CARD_CONTENT_TYPE, content: card }],
  };
}
