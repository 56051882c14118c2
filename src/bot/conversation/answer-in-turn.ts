import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Reply } from '../../report/reply.js';
import type { ChatCore } from './chat-core.js';
import type { Incoming, Surface } from './ports.js';

/**
 * What a webhook-style surface (Teams' Bot Connector; Google Chat, a Mattermost outgoing webhook)
 * does with the one message of a triage; `M` is the platform's message format. Such a platform
 * fails the request that brought the user's message after a few seconds, so the first post may
 * happen inside that request's turn or, once it has ended, out of band; edits are always out of band.
 */
export interface TurnMessages<M> {
  /** The platform's edit budget (the core coalesces edits to it). */
  minUpdateIntervalMs: number;
  /**
   * The platform message for `reply`. `posted` comes with a report once the message is up: its own
   * id (buttons refer to it) and the text "Run probes again" sends.
   */
  render(reply: Reply, posted?: { id: string; rerunText: string }): M;
  /** Posts in the user's turn while `inTurn`, else out of band; resolves to the new message's id. */
  post(message: M, inTurn: boolean): Promise<string | undefined>;
  /** Replaces the posted message `id`, out of band. */
  edit(id: string, message: M): Promise<void>;
  /** `Surface.messageRef` of the posted message `id`: what another process needs to edit it. */
  messageRef(id: string): string | undefined;
  /** Names the message in logs (`Teams card`). */
  noun: string;
  log: Logger;
}

/**
 * Answers `incoming` behind the core's limits and resolves when the platform's turn may end: once
 * the first message is up, once the triage is over, or when `budgetMs` is spent (a screenshot
 * still being read), whichever comes first; a post under way finishes first. After that the post
 * goes out of band. The report is stored under the posted message's id.
 */
export async function answerInTurn<M>(
  core: ChatCore,
  incoming: Incoming,
  messages: TurnMessages<M>,
  budgetMs: number,
): Promise<void> {
  const log = messages.log.child({ platform: incoming.platform, triageId: incoming.id });
  let id: string | undefined;
  let inTurn = true;
  let posting: Promise<void> | undefined;
  let posted: () => void = () => {};
  const firstPost = new Promise<void>((resolve) => {
    posted = resolve;
  });
  const render = (reply: Reply): M =>
    reply.kind === 'report' && id !== undefined
      ? messages.render(reply, { id, rerunText: reply.requestText ?? incoming.text })
      : messages.render(reply);
  const surface: Surface = {
    minUpdateIntervalMs: messages.minUpdateIntervalMs,
    get messageRef() {
      return id === undefined ? undefined : messages.messageRef(id);
    },
    post(reply) {
      posting = messages
        .post(render(reply), inTurn)
        .then(
          (postedId) => {
            id = postedId;
          },
          (error: unknown) => {
            log.error({ err: error }, `posting the ${messages.noun} failed`);
            throw error;
          },
        )
        .finally(posted);
      return posting;
    },
    async update(reply) {
      if (id === undefined) return;
      await messages
        .edit(id, render(reply))
        .catch((error: unknown) => log.warn({ err: error }, `updating the ${messages.noun} failed`));
    },
  };
  const task = core.answer(incoming, surface, { reportKey: () => id });
  await firstOrBudget([firstPost, task], budgetMs);
  inTurn = false;
  await posting?.catch(() => {});
}

/** Resolves when the first of `work` settles, or after `budgetMs`; the timer never outlives it. */
export async function firstOrBudget(work: readonly Promise<unknown>[], budgetMs: number): Promise<void> {
  const budget = new AbortController();
  try {
    await Promise.race([
      ...work.map((promise) => promise.catch(() => {})),
      delay(budgetMs, undefined, { signal: budget.signal }).catch(() => {}),
    ]);
  } finally {
    budget.abort();
  }
}
