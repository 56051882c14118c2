import type { Logger } from 'pino';
import type { GateLimits } from '../access/gate-limits.js';
import { createGroupDirectory, type GroupDirectory } from '../access/group-directory.js';
import type { Config } from '../config/schema.js';
import type { WatchConfig } from '../config/watch-schema.js';
import { TriageError } from '../errors.js';
import type { FeedbackStats } from '../report/ranked-fix.js';
import { createMemoryDedupeStore, type DedupeStore } from '../store/dedupe-store.js';
import type { FeedbackStore, FeedbackVote } from '../store/feedback-store.js';
import { teeFeedbackStore } from '../store/tee-feedback-store.js';
import type { TriageDeps } from '../triage/run.js';
import type { ApiErrorListener } from './api-errors.js';
import type { Bot } from './assemble.js';
import { assembleBot } from './assemble.js';
import type { Conversation } from './conversation.js';
import { readSlackSettings } from './slack-settings.js';
import { TEAMS_STARTER } from './teams.js';

/** What every surface gets from `serve`: one conversation core, one feedback store, one logger. */
export interface ServeContext {
  conversation: Conversation;
  feedback: FeedbackStore;
  /** Surfaces call this after recording a vote, so the next triage ranks with it. */
  onVote: (vote: FeedbackVote) => Promise<void>;
  dedupe: DedupeStore;
  logger: Logger;
  /** Watched triage channels (issue 12) and what deciding on them needs. */
  watch: WatchConfig;
  understand: Bot['understand'];
  readImages: Bot['readImages'];
  /** A surface registers how to look up its users' groups (roles granted by Slack user group / Entra ID group). */
  registerGroups: GroupDirectory['register'];
  /** Failed platform API calls (Slack Web API, Bot Connector), for metrics. */
  onApiError?: ApiErrorListener;
}

/** A triage whose process died: where its message is, as recorded while it ran (ops runtime). */
export interface InterruptedTriage {
  channel: string;
  thread?: string;
  /** The surface's `Surface.messageRef` of the bot's message, when it was posted. */
  messageRef?: string;
}

/** A surface that is running. */
export interface RunningSurface {
  name: string;
  /** Where it receives: `http://host:port/slack/events`, or `socket mode`. */
  address: string;
  /** Stops taking messages; running triages finish. */
  stop(): Promise<void>;
  /** For /readyz: can it receive now (socket connected, listener up)? */
  health?(): { ok: boolean; detail?: string };
  /** Tells the user of a triage lost with another replica, editing its message when it was posted. */
  tellInterrupted?(triage: InterruptedTriage, text: string): Promise<void>;
}

/**
 * A chat platform `serve` can run. `detect` reads its environment variables: null when the
 * platform is not configured, a start function when it is; malformed values throw (naming the
 * variable) before any platform starts. Adding Teams is one more entry in `SURFACES`.
 */
export interface SurfaceStarter {
  name: string;
  /** The variables that switch it on, for the "nothing to serve" message. */
  enabledBy: string;
  detect(env: NodeJS.ProcessEnv): ((context: ServeContext) => Promise<RunningSurface>) | null;
}

export const SLACK_STARTER: SurfaceStarter = {
  name: 'slack',
  enabledBy: 'SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)',
  detect(env) {
    const settings = readSlackSettings(env);
    if (!settings) return null;
    return async (context) => {
      // Bolt loads only when Slack is served: a Teams-only bot does not pay for it at start-up.
      const [{ createSlackApp }, { countingSlackFetch }, { createSlackGroups }, { createSlackWatcher }] =
        await Promise.all([
          import('./slack.js'),
          import('./slack-api-errors.js'),
          import('./slack-groups.js'),
          import('./slack-watch.js'),
        ]);
      const { watch, understand, readImages, registerGroups, ...shared } = context;
      // Asked only when a role is granted by group (access.roles[].groups); needs usergroups:read.
      registerGroups(
        'slack',
        createSlackGroups({
          botToken: settings.botToken,
          ...(settings.apiUrl && { apiUrl: settings.apiUrl }),
          logger: shared.logger,
          ...(shared.onApiError && { fetch: countingSlackFetch(shared.onApiError) }),
        }),
      );
      const channels = watch.channels
        .filter((channel) => channel.platform === 'slack')
        .map((channel) => channel.id);
      const watcher =
        channels.length === 0
          ? undefined
          : createSlackWatcher({
              channels,
              minConfidence: watch.minConfidence,
              understand,
              readImages,
              feedback: shared.feedback,
              onVote: shared.onVote,
              log: shared.logger.child({ platform: 'slack', watch: true }),
            });
      const slack = createSlackApp({ settings, ...shared, ...(watcher && { watcher }) });
      const { port } = await slack.start();
      const address =
        settings.mode === 'socket' ? 'socket mode' : `http://${settings.host}:${port}/slack/events`;
      return {
        name: 'slack',
        address,
        stop: () => slack.stop(),
        health: () => slack.health(),
        tellInterrupted: (triage, text) => slack.tellInterrupted(triage, text),
      };
    };
  },
};

export const SURFACES: SurfaceStarter[] = [SLACK_STARTER, TEAMS_STARTER];

export interface ServeOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  surfaces?: SurfaceStarter[];
  feedback?: FeedbackStore;
  dedupe?: DedupeStore;
  /** Wraps the conversation (in-flight tracking for graceful shutdown). */
  wrap?: (conversation: Conversation) => Conversation;
  /** Sends targets behind a zone's jump to that zone's probe workers (src/ops/zone-dispatcher.ts). */
  routeTarget?: TriageDeps['routeTarget'];
  /** Rate and concurrency counts shared by replicas (Redis); in-process when absent. */
  limits?: GateLimits;
  /** Told of every failed Slack / Teams API call (metrics). */
  onApiError?: ApiErrorListener;
}

export interface Served {
  surfaces: RunningSurface[];
  /** The bot's jump pool counts (for /metrics). */
  poolStats: Bot['poolStats'];
  /** The bot's SQLite store takes a write; absent without `store.path`. */
  checkStore?: Bot['checkStore'];
  close(): Promise<void>;
}

/** Starts every configured surface over one bot. Throws STARTUP_INVALID when none is configured. */
export async function startServe({
  config,
  env = process.env,
  logger,
  surfaces = SURFACES,
  feedback: givenFeedback,
  dedupe = createMemoryDedupeStore(),
  wrap = (conversation) => conversation,
  routeTarget,
  limits,
  onApiError,
}: ServeOptions): Promise<Served> {
  // Every surface's settings are checked before anything connects.
  const starters = surfaces.flatMap((surface) => {
    const start = surface.detect(env);
    return start ? [{ name: surface.name, start }] : [];
  });
  if (starters.length === 0)
    throw new TriageError(
      'STARTUP_INVALID',
      `nothing to serve: set ${surfaces.map((s) => `${s.enabledBy} for ${s.name}`).join(', or ')}`,
    );
  // Ranking reads `stats` on every triage; votes refresh it in place.
  const stats: FeedbackStats = {};
  // Roles granted by group ask the requester's platform; each surface registers its look-up as it starts.
  const groups = createGroupDirectory();
  const bot = assembleBot({
    config,
    stats,
    groupsOf: groups.groupsOf,
    ...(routeTarget && { routeTarget }),
    ...(limits && { limits }),
  });
  // The bot's store (SQLite when `store.path` is configured, else memory) unless one is given
  // (Redis, shared by replicas); then votes go to both, so `rdp-triage audit` still shows them.
  const feedback = givenFeedback ? teeFeedbackStore(givenFeedback, bot.feedback) : bot.feedback;
  const refresh = async () => {
    const fresh = await feedback.stats();
    for (const code of Object.keys(stats)) delete stats[code];
    Object.assign(stats, fresh);
  };
  await refresh();
  const context: ServeContext = {
    conversation: wrap(bot.conversation),
    feedback,
    onVote: refresh,
    dedupe,
    logger,
    watch: config.watch,
    understand: bot.understand,
    readImages: bot.readImages,
    ...(onApiError && { onApiError }),
    registerGroups: groups.register,
  };
  const running: RunningSurface[] = [];
  try {
    for (const { start } of starters) running.push(await start(context));
  } catch (error) {
    await Promise.allSettled(running.map((surface) => surface.stop()));
    await bot.close();
    throw error;
  }
  return {
    surfaces: running,
    poolStats: () => bot.poolStats(),
    ...(bot.checkStore && { checkStore: bot.checkStore }),
    close: () => bot.close(),
  };
}
