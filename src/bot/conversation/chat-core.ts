import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { IncidentPress } from '../../incidents/incident-actions.js';
import type { Reply } from '../../report/reply.js';
import type { Report } from '../../report/report.js';
import { createMemoryDedupeStore, type DedupeStore } from '../../store/dedupe-store.js';
import {
  createMemoryFeedbackStore,
  type FeedbackStore,
  type FeedbackVote,
} from '../../store/feedback-store.js';
import type { Conversation } from './conversation.js';
import type { EditBudget } from './edit-budget.js';
import type { Incoming, Surface } from './ports.js';
import { createReportStore, type PostedReport, postedReport, type ReportStore } from './report-store.js';

export interface ChatCoreDeps {
  conversation: Conversation;
  /** Where votes go (SQLite, Redis or memory). */
  feedback: FeedbackStore;
  /** Called after each stored vote (serve refreshes the ranking statistics from the store). */
  onVote?: (vote: FeedbackVote) => Promise<void> | void;
  /** Drops retried deliveries; shared across replicas when it is the Redis store. */
  dedupe?: DedupeStore;
  logger: Logger;
  /** Triages running at once; more wait their turn (default 32). */
  maxConcurrentTriages?: number;
  reports?: ReportStore;
  /** An incident's Acknowledge / Resolve / Reopen button (src/incidents/incident-actions.ts). */
  pressIncident?: (press: IncidentPress) => Promise<string>;
  now?: () => number;
}

export interface AnswerOptions {
  /**
   * What identifies this triage while it runs ("Run probes again" on a message already being
   * probed is refused): by default a fresh key per call.
   */
  key?: string;
  /** Store key of the message once posted (Slack `slack:<channel>:<ts>`, a Teams card id). */
  reportKey?: () => string | undefined;
  /** Surface-specific view kept with the report (Slack: who asked); opaque to the core. */
  view?: Record<string, unknown>;
  /** The first post failed, so nothing is shown: the adapter's last chance to tell the user. */
  onUnposted?: (error: unknown) => Promise<unknown>;
  /** A platform-wide budget of edits (Slack's Tier 3): progress edits past it are skipped, finals always go. */
  editBudget?: EditBudget;
}

export interface Vote {
  /** Store key of the posted report the vote is about. */
  key: string;
  /** The fix voted on; absent: the fix ranked first ("wrong" in a watched thread, 👎). */
  fixId?: string;
  helped: boolean;
  user: string;
  name?: string;
  platform: string;
  /** Codes to record when the report is no longer in memory (Slack's button carries them). */
  codes?: string[];
  /** Triage id to record when the report is no longer in memory. */
  triageId?: string;
}

export type VoteOutcome =
  | { status: 'recorded'; posted?: PostedReport }
  | { status: 'unknown-fix' | 'nothing-to-vote-on' | 'not-stored' };

/**
 * The surface-independent half of every chat adapter: one implementation each of delivery
 * dedupe, the running-triage limit, the store of posted reports, votes, the idle barrier and the
 * drain on shutdown. Adapters translate platform events into these calls and nothing more.
 */
export interface ChatCore {
  /** True the first time a delivery key is seen within an hour; retried deliveries get false. */
  firstDelivery(key: string): Promise<boolean>;
  /**
   * Answers one message on `surface` behind the running-triage limit; resolves once the last
   * edit is posted. Never rejects: a first post that fails goes to `onUnposted`.
   */
  answer(
    incoming: Incoming,
    surface: Surface,
    options?: AnswerOptions,
  ): Promise<{ report: Report | null; reportKey?: string }>;
  isRunning(key: string): boolean;
  readonly reports: ReportStore;
  /** Stores a vote and marks it on the posted report (when still in memory). */
  vote(vote: Vote): Promise<VoteOutcome>;
  /** A helpdesk agent's incident button; resolves to the line they are shown. */
  pressIncident(press: IncidentPress): Promise<string>;
  /** Counts `work` (a request inside its listener) until it settles, for `idle()`. */
  track(work: Promise<unknown>): void;
  /** Resolves once every tracked request and every triage it started has finished (a barrier for tests). */
  idle(): Promise<void>;
  /** Waits for running triages up to `graceMs`, then aborts the rest (their message says so) and awaits them. */
  drain(graceMs?: number): Promise<void>;
}

/** Slack retries an event for about 5 minutes, Teams for 15 s (platform-limits.md): an hour covers both. */
const DEDUPE_TTL_MS = 60 * 60_000;
const DEFAULT_GRACE_MS = 30_000;

export function createChatCore({
  conversation,
  feedback,
  onVote = () => {},
  dedupe = createMemoryDedupeStore(),
  logger,
  maxConcurrentTriages = 32,
  reports = createReportStore(),
  pressIncident = async () => 'Incidents are not tracked here.',
  now = Date.now,
}: ChatCoreDeps): ChatCore {
  const limit = pLimit(maxConcurrentTriages);
  const running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  const tracked = new Set<Promise<unknown>>();
  let sequence = 0;

  return {
    reports,
    async pressIncident(press) {
      try {
        return await pressIncident(press);
      } catch (error) {
        logger.error({ err: error, incident: press.id, action: press.action }, 'incident action failed');
        return `${press.id} could not be changed just now; please try again.`;
      }
    },
    async firstDelivery(key) {
      const fresh = await dedupe.claim(key, DEDUPE_TTL_MS);
      if (!fresh) logger.info({ delivery: key }, 'duplicate delivery dropped');
      return fresh;
    },

    answer(incoming, surface, { key, reportKey, view, onUnposted, editBudget } = {}) {
      sequence += 1;
      const runKey = key ?? `${incoming.platform}:${incoming.id}:${sequence}`;
      const controller = new AbortController();
      const log = logger.child({ platform: incoming.platform, triageId: incoming.id });
      log.info({ user: incoming.user, chars: incoming.text.length }, 'triage started');
      let last: Reply | undefined;
      // The core sees the final reply on its way out, so every surface's report is stored alike.
      const watched: Surface = {
        get minUpdateIntervalMs() {
          return surface.minUpdateIntervalMs;
        },
        get messageRef() {
          return surface.messageRef;
        },
        async post(reply) {
          await surface.post(reply);
          last = reply;
        },
        async update(reply) {
          if (reply.kind === 'progress' && editBudget && !editBudget.tryTake()) return;
          if (reply.kind !== 'progress') editBudget?.take();
          await surface.update(reply);
          last = reply;
        },
      };
      const done = limit(() => conversation.handle(incoming, watched, controller.signal))
        .then((report) => {
          log.info({ fixes: report?.fixes.length ?? 0, ms: report?.ms }, 'triage answered');
          const stored = reportKey?.();
          if (report && stored !== undefined && last?.kind === 'report')
            reports.remember(stored, postedReport(last, incoming.text, view ? { view } : {}));
          return { report, ...(stored !== undefined && { reportKey: stored }) };
        })
        .catch(async (error: unknown) => {
          log.error({ err: error }, 'triage could not be posted');
          await onUnposted?.(error).catch(() => {});
          return { report: null };
        })
        .finally(() => running.delete(runKey));
      running.set(runKey, { controller, done });
      return done;
    },

    isRunning: (key) => running.has(key),

    async vote({ key, fixId, helped, user, name, platform, codes, triageId }) {
      const posted = reports.get(key);
      const fix = fixId ?? posted?.report.fixes[0]?.id;
      if (fix === undefined) return { status: 'nothing-to-vote-on' };
      if (posted && !posted.report.fixes.some((candidate) => candidate.id === fix))
        return { status: 'unknown-fix' };
      const vote: FeedbackVote = {
        triageId: posted?.triageId ?? triageId ?? key,
        fixId: fix,
        // A report from before a restart is gone from memory: the vote still counts, with what the button carried.
        codes: posted?.report.understanding.codes.map((code) => code.value) ?? codes ?? [],
        helped,
        user,
        platform,
        at: new Date(now()).toISOString(),
      };
      try {
        await feedback.record(vote);
      } catch (error) {
        logger.error({ err: error, platform }, 'storing a vote failed');
        return { status: 'not-stored' };
      }
      await Promise.resolve(onVote(vote)).catch((error: unknown) =>
        logger.warn({ err: error }, 'refreshing feedback statistics failed'),
      );
      logger.info({ triageId: vote.triageId, fixId: fix, helped, platform }, 'feedback recorded');
      if (posted) posted.votes[fix] = { helped, user, ...(name !== undefined && { name }) };
      return { status: 'recorded', ...(posted && { posted }) };
    },

    track(work) {
      tracked.add(work);
      void work.catch(() => {}).finally(() => tracked.delete(work));
    },

    async idle() {
      // A tracked request may start a triage: wait until neither kind is left.
      while (tracked.size > 0 || running.size > 0)
        await Promise.allSettled([...tracked, ...[...running.values()].map(({ done }) => done)]);
    },

    async drain(graceMs = DEFAULT_GRACE_MS) {
      // Running triages end at their probe deadlines; past the grace they are cancelled.
      const finished = Promise.allSettled([...running.values()].map(({ done }) => done));
      const grace = new AbortController();
      const timedOut = await Promise.race([
        finished.then(() => false),
        delay(graceMs, true, { signal: grace.signal }).catch(() => false),
      ]);
      grace.abort();
      if (timedOut) for (const { controller } of running.values()) controller.abort();
      await finished;
    },
  };
}

/**
 * What an adapter is given: the core itself (serve shares one among every surface), or what
 * builds one (a single surface, a test). Votes go to memory when no feedback store is named.
 */
export type CoreOption =
  | { core: ChatCore }
  | (Omit<ChatCoreDeps, 'logger' | 'feedback'> & { feedback?: FeedbackStore; core?: undefined });

export function coreFrom(option: CoreOption, logger: Logger): ChatCore {
  if (option.core) return option.core;
  return createChatCore({ feedback: createMemoryFeedbackStore(), ...option, logger });
}
