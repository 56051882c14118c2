import { setTimeout as delay } from 'node:timers/promises';
import type { Conversation } from '../bot/conversation/conversation.js';
import type { Incoming, Surface } from '../bot/conversation/ports.js';
import type { Reply } from '../report/reply.js';

export const INTERRUPTED_TEXT =
  'This triage was interrupted because the bot is restarting. Please run it again in a minute.';
/** Shown by a surviving replica on the message of a triage whose replica died mid-way. */
export const LOST_REPLICA_TEXT =
  'This triage was interrupted: the bot instance running it stopped unexpectedly. Please run it again.';
export const RESTARTING_TEXT =
  'The bot is restarting and not taking new triages. Please send this again in a minute.';

/** One message being answered now. */
export interface RunningTriage {
  readonly incoming: Incoming;
  readonly startedAt: number;
}

export interface DrainResult {
  finished: number;
  interrupted: number;
}

export interface InFlight {
  readonly accepting: boolean;
  readonly size: number;
  /** The conversation, tracked: new work is refused while draining, running work can be told. */
  wrap(conversation: Conversation): Conversation;
  /**
   * Stops taking work; lets running triages finish until `deadlineMs`; then posts
   * `INTERRUPTED_TEXT` on each one still running (through its own Surface, as the last edit of
   * its message), aborts it and waits for it to unwind.
   */
  drain(options: { deadlineMs: number; unwindMs?: number }): Promise<DrainResult>;
  running(): RunningTriage[];
}

interface Entry extends RunningTriage {
  controller: AbortController;
  surface: GatedSurface;
  done: Promise<unknown>;
}

export function createInFlight({
  now = Date.now,
  onInterrupted = () => {},
}: {
  now?: () => number;
  onInterrupted?: (incoming: Incoming) => void;
} = {}): InFlight {
  const entries = new Set<Entry>();
  let accepting = true;

  return {
    get accepting() {
      return accepting;
    },
    get size() {
      return entries.size;
    },
    running: () => [...entries].map(({ incoming, startedAt }) => ({ incoming, startedAt })),
    wrap(conversation) {
      return {
        async handle(incoming, surface, signal) {
          if (!accepting) {
            await surface.post({ kind: 'text', text: RESTARTING_TEXT });
            return null;
          }
          const controller = new AbortController();
          const gated = gateSurface(surface);
          const done = conversation.handle(incoming, gated, AbortSignal.any([signal, controller.signal]));
          const entry: Entry = { incoming, startedAt: now(), controller, surface: gated, done };
          entries.add(entry);
          try {
            return await done;
          } finally {
            entries.delete(entry);
          }
        },
      };
    },
    async drain({ deadlineMs, unwindMs = 5000 }) {
      accepting = false;
      const before = entries.size;
      await settleWithin(
        [...entries].map((e) => e.done),
        deadlineMs,
      );
      const stuck = [...entries];
      await Promise.all(
        stuck.map(async (entry) => {
          await entry.surface.closeWith({ kind: 'text', text: INTERRUPTED_TEXT }).catch(() => {});
          entry.controller.abort(new Error('shutdown'));
          onInterrupted(entry.incoming);
        }),
      );
      await settleWithin(
        stuck.map((e) => e.done),
        unwindMs,
      );
      return { finished: before - stuck.length, interrupted: stuck.length };
    },
  };
}

interface GatedSurface extends Surface {
  /** Sends `reply` as the final state of the message and drops every later post or edit. */
  closeWith(reply: Reply): Promise<void>;
}

/**
 * A surface that can be closed from outside: after `closeWith`, the conversation core may still
 * try to edit (its triage unwinds after the abort) but the user's message keeps the
 * "interrupted" text.
 */
function gateSurface(surface: Surface): GatedSurface {
  let closed = false;
  let posted: Promise<void> | null = null;
  let lastUpdate: Promise<void> = Promise.resolve();
  return {
    minUpdateIntervalMs: surface.minUpdateIntervalMs,
    post(reply) {
      if (closed) return Promise.resolve();
      posted = surface.post(reply);
      return posted;
    },
    async update(reply) {
      if (closed) return;
      lastUpdate = surface.update(reply);
      await lastUpdate;
    },
    async closeWith(reply) {
      closed = true;
      if (posted === null) {
        await surface.post(reply);
        return;
      }
      // An edit already on its way must not land after the final one.
      await posted.catch(() => {});
      await lastUpdate.catch(() => {});
      await surface.update(reply);
    },
  };
}

async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  const timer = new AbortController();
  try {
    await Promise.race([
      Promise.allSettled(promises),
      delay(ms, undefined, { signal: timer.signal }).catch(() => {}),
    ]);
  } finally {
    timer.abort();
  }
}
