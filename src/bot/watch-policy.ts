import { DEFAULT_WATCH_MIN_CONFIDENCE } from '../config/watch-schema.js';
import type { Understanding } from '../intents/understanding.js';

/**
 * Whether the bot answers a message in a watched channel without being asked. Pure.
 *
 * Precision beats recall here: a bot that answers "good morning" is muted within a day. So it
 * answers only a new top-level message that nobody from the helpdesk has answered yet, that the
 * classifier calls an RDP failure with confidence at or above the threshold, and that shows a
 * failure: an error code or a failure symptom. A host name alone is not enough — "who owns
 * srv-fin-02? need RDP access" and "RDP to srv-fin-02 works again, thanks!" name hosts too.
 */
export interface WatchContext {
  /** A top-level message, not a reply inside a thread. */
  topLevel: boolean;
  /** Someone other than the poster (and other than this bot) already replied in its thread. */
  answeredByOthers: boolean;
}

export type WatchDecision =
  | { answer: true }
  | {
      answer: false;
      reason:
        | 'thread-reply'
        | 'already-answered'
        | 'not-rdp-failure'
        | 'low-confidence'
        | 'nothing-to-triage';
    };

export function decideUnasked(
  understanding: Understanding,
  context: WatchContext,
  minConfidence: number = DEFAULT_WATCH_MIN_CONFIDENCE,
): WatchDecision {
  if (!context.topLevel) return { answer: false, reason: 'thread-reply' };
  if (context.answeredByOthers) return { answer: false, reason: 'already-answered' };
  if (understanding.intent !== 'rdp_failure') return { answer: false, reason: 'not-rdp-failure' };
  if (understanding.confidence < minConfidence) return { answer: false, reason: 'low-confidence' };
  if (understanding.codes.length === 0 && understanding.symptoms.length === 0)
    return { answer: false, reason: 'nothing-to-triage' };
  return { answer: true };
}
