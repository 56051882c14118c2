import type { Logger } from 'pino';
import { z } from 'zod';
import type { Report } from '../report/report.js';
import type { FeedbackStore, FeedbackVote } from '../store/feedback-store.js';
import {
  RERUN_TEXT_MAX,
  renderTeamsCard,
  TEAMS_CARD_CONTENT_TYPE,
  TEAMS_VERBS,
  type TeamsVote,
} from './render/teams.js';

/** What a card button sends back (`Action.Execute` data, or the `Action.Submit` fallback's `value`). */
export const cardActionSchema = z.discriminatedUnion('verb', [
  z.object({
    verb: z.literal(TEAMS_VERBS.feedback),
    triageId: z.string().min(1).max(512),
    fixId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    helped: z.boolean(),
  }),
  z.object({ verb: z.literal(TEAMS_VERBS.rerun), text: z.string().min(1).max(RERUN_TEXT_MAX) }),
]);
export type CardAction = z.infer<typeof cardActionSchema>;
export type FeedbackAction = Extract<CardAction, { verb: typeof TEAMS_VERBS.feedback }>;

/** The body of an `adaptiveCard/action` invoke response (Universal Actions). */
export interface InvokeBody {
  statusCode: number;
  type: string;
  value: unknown;
}

export const INVOKE_CARD = TEAMS_CARD_CONTENT_TYPE;
export const INVOKE_MESSAGE = 'application/vnd.microsoft.activity.message';
const INVOKE_ERROR = 'application/vnd.microsoft.error';

export function invokeError(statusCode: number, message: string): InvokeBody {
  return {
    statusCode,
    type: INVOKE_ERROR,
    value: { code: statusCode === 400 ? 'BadRequest' : 'InternalError', message },
  };
}

/** A posted report card, kept so a vote can redraw it. */
export interface CardState {
  report: Report;
  /** What was read from a screenshot, shown above the report. */
  note?: string;
  rerunText: string;
  votes: Record<string, TeamsVote>;
}

const MAX_REMEMBERED = 500;

export interface VoteDeps {
  feedback: FeedbackStore;
  onVote: (vote: FeedbackVote) => Promise<void>;
  logger: Logger;
  clock: () => Date;
}

/**
 * The report cards the bot posted (the last 500) and their votes: stores a vote in the
 * FeedbackStore and answers with the card redrawn to show it.
 */
export function createCardVotes({ feedback, onVote, logger, clock }: VoteDeps) {
  const cards = new Map<string, CardState>();
  return {
    remember(cardId: string, state: CardState) {
      cards.set(cardId, state);
      // Maps iterate in insertion order: the first key is the oldest.
      if (cards.size > MAX_REMEMBERED) cards.delete(cards.keys().next().value as string);
    },
    async vote(action: FeedbackAction, voter: { id: string; name: string | undefined }): Promise<InvokeBody> {
      const state = cards.get(action.triageId);
      if (state && !state.report.fixes.some((fix) => fix.id === action.fixId))
        return invokeError(400, 'unknown fix');
      const vote: FeedbackVote = {
        triageId: action.triageId,
        fixId: action.fixId,
        // A card from before a restart is gone from memory: the vote still counts, without codes.
        codes: state?.report.understanding.codes.map((code) => code.value) ?? [],
        helped: action.helped,
        user: voter.id,
        platform: 'teams',
        at: clock().toISOString(),
      };
      try {
        await feedback.record(vote);
      } catch (error) {
        logger.error({ err: error }, 'storing a Teams vote failed');
        return invokeError(500, 'Your vote could not be stored; please try again later.');
      }
      await onVote(vote).catch((error) =>
        logger.warn({ err: error }, 'refreshing feedback statistics failed'),
      );
      if (!state) return { statusCode: 200, type: INVOKE_MESSAGE, value: 'Thanks, your vote is recorded.' };
      state.votes[action.fixId] = { helped: action.helped, by: voter.name ?? 'someone' };
      const card = renderTeamsCard(
        { kind: 'report', report: state.report, ...(state.note !== undefined && { note: state.note }) },
        { triageId: action.triageId, rerunText: state.rerunText, votes: state.votes },
      );
      return { statusCode: 200, type: INVOKE_CARD, value: card };
    },
  };
}
