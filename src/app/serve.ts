import type { Logger } from 'pino';
import type { GateLimits } from '../access/gate-limits.js';
import { createGroupDirectory, type GroupDirectory } from '../access/group-directory.js';
import type { ApiErrorListener } from '../bot/adapters/api-errors.js';
import { type CoreOption, createChatCore } from '../bot/conversation/chat-core.js';
import type { Conversation } from '../bot/conversation/conversation.js';
import type { WatchDeps } from '../bot/watch/watched-channel.js';
import type { Config } from '../config/schema.js';
import { TriageError } from '../errors.js';
import type { SharedIncidents } from '../incidents/incident-posts.js';
import type { IncidentChange } from '../incidents/relay-changes.js';
import type { FeedbackStats } from '../report/ranked-fix.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { createMemoryDedupeStore, type DedupeStore } from '../store/dedupe-store.js';
import type { FeedbackStore } from '../store/feedback-store.js';
import { teeFeedbackStore } from '../store/tee-feedback-store.js';
import type { TriageDeps } from '../triage/run.js';
import type { Bot } from './assemble.js';
import { assembleBot } from './assemble.js';
import { createBotNotifier, type ShowMessage } from './incident-notifier.js';
import type { MonitorChange } from './monitor.js';
import { type MonitorSchedule, startMonitorSchedule } from './monitor-schedule.js';
import { SLACK_STARTER, TEAMS_STARTER } from './surfaces.js';

/** What every surface gets from `serve`: one conversation core (dedupe, limits, reports, votes), one logger. */
export type ServeContext = CoreOption & {
  logger: Logger;
  /** Watched triage channels and what deciding on them needs; absent: none watched. */
  watch?: Omit<WatchDeps, 'core' | 'log'>;
  /** A surface registers how to look up its users' groups (roles granted by Slack user group / Entra ID group). */
  registerGroups: GroupDirectory['register'];
  /** Failed platform API calls (Slack Web API, Bot Connector), for metrics. */
  onApiError?: ApiErrorListener;
  /** The helpdesk channel per platform (config incidents.helpdesk), for a surface that must know it up front. */
  helpdesk?: Partial<Record<string, string>>;
  /** Where a surface keeps the conversations it learned (Teams), across restarts with a store file. */
  conversations?: ConversationStore;
};

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
  /** Shows a message nobody just asked for (an incident's helpdesk post, a reporter told it is resolved). */
  show?: ShowMessage;
  /** The platform's edit budget per message, for the helpdesk posts' edits. */
  minUpdateIntervalMs?: number;
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
  /** Incidents shared by replicas (Redis); absent: the bot's store file. */
  sharedIncidents?: SharedIncidents;
  /**
   * Starts the monitors' schedule over the bot: BullMQ job schedulers with replicas
   * (src/app/monitor-jobs.ts); absent: timers in this process.
   */
  startMonitors?: (bot: Bot) => Promise<MonitorSchedule>;
}

export interface Served {
  surfaces: RunningSurface[];
  /** The bot's jump pool counts (for /metrics). */
  poolStats: Bot['poolStats'];
  /** One monitor pass now (serve runs them on the monitors' interval). */
  monitorPass(): Promise<MonitorChange[]>;
  /** Resolves once every helpdesk post and reporter message so far went out (tests, shutdown). */
  incidentsIdle(): Promise<void>;
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
  sharedIncidents,
  startMonitors = async (bot) => startMonitorSchedule({ bot, config, logger }),
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
  // Incident changes reach the helpdesk channel and the reporters through the surfaces below,
  // which register as they start; the notifier needs the bot's store, so it is made right after.
  let tellNotifier: (change: IncidentChange) => void = () => {};
  const bot = assembleBot({
    config,
    stats,
    onIncidentChange: (change) => tellNotifier(change),
    groupsOf: groups.groupsOf,
    ...(routeTarget && { routeTarget }),
    ...(limits && { limits }),
    ...(sharedIncidents && { sharedIncidents }),
  });
  // The bot's store (SQLite when `store.path` is configured, else memory) unless one is given
  // (Redis, shared by replicas); then votes go to both, so `rdp-triage audit` still shows them.
  const feedback = givenFeedback ? teeFeedbackStore(givenFeedback, bot.feedback) : bot.feedback;
  const refresh = async () => {
    const fresh = await feedback.stats();
    for (const code of Object.keys(stats)) delete stats[code];
    Object.assign(stats, fresh);
  };
  const notifier = createBotNotifier(bot, config, logger);
  tellNotifier = notifier.onChange;
  await refresh();
  const core = createChatCore({
    pressIncident: bot.pressIncident,
    conversation: wrap(bot.conversation),
    feedback,
    onVote: refresh,
    dedupe,
    logger,
  });
  const watch = { ...config.watch, understand: bot.understand, readImages: bot.readImages };
  const context: ServeContext = {
    core,
    logger,
    watch,
    ...(onApiError && { onApiError }),
    registerGroups: groups.register,
    helpdesk: config.incidents.helpdesk,
    conversations: bot.conversations,
  };
  const running: RunningSurface[] = [];
  try {
    for (const { start } of starters) running.push(await start(context));
  } catch (error) {
    await Promise.allSettled(running.map((surface) => surface.stop()));
    await bot.close();
    throw error;
  }
  for (const surface of running)
    if (surface.show)
      notifier.register(surface.name, surface.show, {
        ...(surface.minUpdateIntervalMs !== undefined && {
          minUpdateIntervalMs: surface.minUpdateIntervalMs,
        }),
      });
  // Monitors and open incidents are probed on a schedule; what changes reaches the notifier.
  let monitors: MonitorSchedule;
  try {
    monitors = await startMonitors(bot);
  } catch (error) {
    await Promise.allSettled(running.map((surface) => surface.stop()));
    await bot.close();
    throw error;
  }
  return {
    surfaces: running,
    poolStats: () => bot.poolStats(),
    ...(bot.checkStore && { checkStore: bot.checkStore }),
    monitorPass: () => monitors.runPass(),
    incidentsIdle: () => notifier.idle(),
    close: async () => {
      await monitors.stop();
      notifier.stop();
      await notifier.idle();
      await bot.close();
    },
  };
}
