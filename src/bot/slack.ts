import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  App,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  type RespondFn,
  SocketModeReceiver,
  type webApi,
} from '@slack/bolt';
import type { Logger } from 'pino';
import { describeError, TriageError } from '../errors.js';
import type { Report } from '../report/report.js';
import type { DedupeStore } from '../store/dedupe-store.js';
import { createMemoryDedupeStore } from '../store/dedupe-store.js';
import type { FeedbackStore, FeedbackVote } from '../store/feedback-store.js';
import type { ApiErrorListener } from './api-errors.js';
import { createConcurrencyLimit } from './concurrency-limit.js';
import type { Conversation } from './conversation.js';
import { createEditBudget, type EditBudget } from './edit-budget.js';
import { escapeMrkdwn, renderSlack, type SlackRenderOptions } from './render/slack.js';
import { createReportCache, registerReportActions } from './slack-actions.js';
import { countingSlackFetch } from './slack-api-errors.js';
import { type SlackFileLike, slackAttachments } from './slack-files.js';
import {
  fromDirectMessage,
  fromMention,
  fromShortcut,
  plainText,
  type Translated,
} from './slack-incoming.js';
import type { SlackSettings } from './slack-settings.js';
import { createSlackSurface } from './slack-surface.js';
import type { SlackWatcher, WatchedMessage } from './slack-watch.js';

export interface SlackAppDeps {
  settings: SlackSettings;
  conversation: Conversation;
  feedback: FeedbackStore;
  /** Called after each recorded vote (serve refreshes the ranking statistics from the store). */
  onVote?: (vote: FeedbackVote) => Promise<void> | void;
  dedupe?: DedupeStore;
  logger: Logger;
  /** Web API client options; tests point `slackApiUrl` at a local server. */
  clientOptions?: webApi.WebClientOptions;
  minUpdateIntervalMs?: number;
  /** Triages running at once; more wait their turn (default 32). */
  maxConcurrentTriages?: number;
  /** Workspace-wide budget of progress edits (chat.update is Tier 3, ≈ 50 / min); finals always go. */
  editBudget?: EditBudget;
  now?: () => number;
  /** Watched triage channels answered unasked (issue 12, src/bot/slack-watch.ts). */
  watcher?: SlackWatcher;
  /** Told of every failed Web API call (metrics). */
  onApiError?: ApiErrorListener;
}

/** A triage another process started and lost: where its message is (or would have been). */
export interface InterruptedMessage {
  channel: string;
  thread?: string;
  /** The bot's message `ts`, when it was posted. */
  messageRef?: string;
}

export interface SlackService {
  /** Checks the bot token (auth.test), then listens (HTTP) or connects (Socket Mode). */
  start(): Promise<{ mode: SlackSettings['mode']; port?: number }>;
  /** Stops receiving; running triages finish (cancelled after a grace period) and post their last edit. */
  stop(): Promise<void>;
  /** For /readyz: Socket Mode connected (Slack said hello), or the HTTP receiver listening. */
  health(): { ok: boolean; detail?: string };
  /** Replaces a lost triage's message with `text` (or posts it where the answer was due). */
  tellInterrupted(message: InterruptedMessage, text: string): Promise<void>;
  /**
   * Resolves once every request received so far has been through its listener and every triage
   * it started has posted its last edit (a barrier for tests; watched-channel answers excluded).
   */
  idle(): Promise<void>;
}

/** Slack retries an event up to 3 times within about 5 minutes (platform-limits.md); keep keys for an hour. */
const DEDUPE_TTL_MS = 60 * 60 * 1000;
export const SLASH_COMMAND = '/rdp';
export const SHORTCUT_CALLBACK_ID = 'triage_message';
/** Reports kept for "Show all fixes" and vote marks; older messages fall back to a short notice. */
const REPORT_CACHE_SIZE = 1000;
const STOP_GRACE_MS = 30_000;
/**
 * A 429 waits Retry-After inside the client, then retries (web-api honours the header); a chat
 * reply is worthless after a few minutes, so fewer retries than the client's 30-minute default.
 */
const RETRY_CONFIG = { retries: 4, factor: 2, minTimeout: 1000, maxTimeout: 20_000, randomize: true };

/** The Slack surface: Bolt events in, `Incoming` to the conversation core, Block Kit messages out. */
export function createSlackApp({
  settings,
  conversation,
  feedback,
  onVote = () => {},
  dedupe = createMemoryDedupeStore(),
  logger,
  clientOptions = {},
  minUpdateIntervalMs,
  now = Date.now,
  editBudget = createEditBudget({ perMinute: 50, now }),
  maxConcurrentTriages = 32,
  watcher,
  onApiError,
}: SlackAppDeps): SlackService {
  const log = logger.child({ platform: 'slack' });
  const boltLogger = toBoltLogger(log);
  const apiOptions: webApi.WebClientOptions = {
    retryConfig: RETRY_CONFIG,
    ...(settings.apiUrl && { slackApiUrl: settings.apiUrl }),
    ...clientOptions,
    ...(onApiError && { fetch: countingSlackFetch(onApiError, clientOptions.fetch) }),
  };
  const receiver =
    settings.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: settings.appToken,
          logger: boltLogger,
          installerOptions: { clientOptions: apiOptions },
        })
      : new HTTPReceiver({
          signingSecret: settings.signingSecret,
          endpoints: '/slack/events',
          logger: boltLogger,
        });
  const app = new App({
    token: settings.botToken,
    receiver,
    logger: boltLogger,
    clientOptions: apiOptions,
    deferInitialization: true,
  });
  // Readiness: Socket Mode is up from Slack's `hello` until the socket closes; HTTP while listening.
  let socketConnected = false;
  let httpServer: { listening: boolean } | undefined;
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => {
      socketConnected = true;
    });
    for (const down of ['close', 'reconnecting', 'disconnecting', 'disconnected'])
      receiver.client.on(down, () => {
        socketConnected = false;
      });
  }
  const reports = createReportCache(REPORT_CACHE_SIZE);
  const triageSlots = createConcurrencyLimit(maxConcurrentTriages);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Requests inside their listeners (Bolt acks events before it runs them). */
  const handling = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    const listeners = next();
    handling.add(listeners);
    try {
      await listeners;
    } finally {
      handling.delete(listeners);
    }
  });

  /** Runs one triage detached from the listener: Slack got its ack already, the work may take seconds. */
  const answer = (
    { incoming, target }: Translated,
    client: webApi.WebClient,
    {
      existingTs,
      requestedBy,
      respond,
    }: { existingTs?: string; requestedBy?: string; respond?: RespondFn } = {},
  ): Promise<{ report: Report | null; replyTs?: string }> => {
    const key = existingTs ? `${target.channel}:${existingTs}` : `new:${incoming.id}:${now()}`;
    let replyTs: string | undefined;
    const controller = new AbortController();
    const render: SlackRenderOptions = { requestText: incoming.text, ...(requestedBy && { requestedBy }) };
    const surface = createSlackSurface({
      client,
      target,
      render,
      ...(existingTs && { existingTs }),
      ...(minUpdateIntervalMs !== undefined && { minUpdateIntervalMs }),
      editBudget,
      onReport: (ts, { report, note }, used) => {
        replyTs = ts;
        reports.set(target.channel, ts, {
          report,
          render: used,
          votes: {},
          ...(note !== undefined && { note }),
        });
      },
    });
    const triageLog = log.child({ triageId: incoming.id });
    triageLog.info({ user: incoming.user, chars: incoming.text.length }, 'triage started');
    let answered: Report | null = null;
    const done = triageSlots
      .run(() => conversation.handle(incoming, surface, controller.signal))
      .then((report) => {
        answered = report;
        triageLog.info({ fixes: report?.fixes.length ?? 0, ms: report?.ms }, 'triage answered');
      })
      .catch(async (error: unknown) => {
        triageLog.error({ err: error }, 'triage could not be posted');
        await respond?.({
          response_type: 'ephemeral',
          replace_original: false,
          text: postFailureText(error),
        }).catch(() => {});
      })
      .finally(() => running.delete(key));
    running.set(key, { controller, done });
    return done.then(() => ({ report: answered, ...(replyTs !== undefined && { replyTs }) }));
  };
  const filesOf = (event: { files?: unknown }) =>
    slackAttachments(event.files as SlackFileLike[] | undefined, {
      botToken: settings.botToken,
      ...(settings.apiUrl && { apiUrl: settings.apiUrl }),
    });

  app.event('message', async ({ event, body, context, client }) => {
    const message = event as WatchedMessage;
    if (watcher?.watches(message.channel) && message.channel_type !== 'im') {
      // Watched channel (issue 12): every message, decided and answered off the listener.
      const key = `slack:${body.team_id ?? ''}:watch:${message.channel}:${message.ts}`;
      if (!(await dedupe.claim(key, DEDUPE_TTL_MS))) return;
      const files = filesOf(message);
      void watcher
        .onMessage(message, { client, botUserId: context.botUserId, files, answer: (t) => answer(t, client) })
        .catch((error: unknown) => log.error({ err: error }, 'watched message failed'));
      return;
    }
    const translated = fromDirectMessage(message, context.botUserId);
    if (translated) {
      const files = filesOf(message);
      if (files.length > 0) translated.incoming.files = files;
    }
    if (translated && (await firstDelivery(translated, body, context.retryNum)))
      void answer(translated, client);
  });

  app.event('reaction_added', async ({ event }) => {
    await watcher?.onReaction(event).catch((error: unknown) => log.error({ err: error }, 'reaction failed'));
  });

  app.event('app_mention', async ({ event, body, context, client }) => {
    const translated = fromMention(event, context.botUserId);
    // "@rdp-triage" with a screenshot attached: read it like a DM's (issue 12).
    const files = filesOf(event as { files?: unknown });
    if (translated && files.length > 0) translated.incoming.files = files;
    if (translated && (await firstDelivery(translated, body, context.retryNum)))
      void answer(translated, client);
  });

  /** Slack re-sends an event it thinks was lost (x-slack-retry-num); each message is triaged once. */
  async function firstDelivery(translated: Translated, body: { team_id?: string }, retryNum?: number) {
    const fresh = await dedupe.claim(`slack:${body.team_id ?? ''}:${translated.incoming.id}`, DEDUPE_TTL_MS);
    if (!fresh) log.info({ triageId: translated.incoming.id, retryNum }, 'duplicate delivery dropped');
    return fresh;
  }

  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const text = plainText(command.text).trim();
    if (text === '') {
      await ack({
        response_type: 'ephemeral',
        text: `Tell me the error and the host, e.g. \`${SLASH_COMMAND} 0x904 on srv-fin-02\`.`,
      });
      return;
    }
    await ack({
      response_type: 'ephemeral',
      text: `Triaging _${escapeMrkdwn(text.slice(0, 200))}_ — the answer follows in this channel.`,
    });
    const incoming = {
      platform: 'slack' as const,
      id: `command:${command.trigger_id}`,
      user: command.user_id,
      channel: command.channel_id,
      text,
    };
    void answer({ incoming, target: { channel: command.channel_id } }, client, {
      requestedBy: command.user_id,
      respond,
    });
  });

  app.shortcut(SHORTCUT_CALLBACK_ID, async ({ shortcut, ack, client, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const message = { ...shortcut.message, channel: shortcut.channel.id };
    void answer(fromShortcut(message, shortcut.user.id), client, { requestedBy: shortcut.user.id, respond });
  });

  registerReportActions(app, {
    reports,
    feedback,
    onVote,
    rerun: answer,
    isRunning: (channel, ts) => running.has(`${channel}:${ts}`),
    log,
    now,
  });

  app.error(async (error) => {
    log.error({ err: error }, 'slack listener failed');
  });

  return {
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw new TriageError(
          'STARTUP_INVALID',
          `Slack rejected SLACK_BOT_TOKEN at auth.test (${slackErrorCode(error)})`,
          {
            cause: error,
          },
        );
      }
      if (settings.mode === 'socket') {
        await app.start();
        log.info('slack connected (Socket Mode)');
        return { mode: 'socket' };
      }
      const server = await (receiver as HTTPReceiver).start({ port: settings.port, host: settings.host });
      httpServer = server;
      const port = (server.address() as AddressInfo).port;
      log.info({ port }, 'slack listening on /slack/events');
      return { mode: 'http', port };
    },
    health() {
      if (settings.mode === 'socket')
        return socketConnected ? { ok: true } : { ok: false, detail: 'Socket Mode not connected' };
      return httpServer?.listening ? { ok: true } : { ok: false, detail: 'HTTP receiver not listening' };
    },
    async tellInterrupted({ channel, thread, messageRef }, text) {
      const message = renderSlack({ kind: 'text', text });
      if (messageRef !== undefined) await app.client.chat.update({ channel, ts: messageRef, ...message });
      else
        await app.client.chat.postMessage({
          channel,
          ...(thread !== undefined && { thread_ts: thread }),
          ...message,
          unfurl_links: false,
          unfurl_media: false,
        });
    },
    async idle() {
      // A listener may start a triage: wait until neither kind is left.
      while (handling.size > 0 || running.size > 0)
        await Promise.allSettled([...handling, ...[...running.values()].map(({ done }) => done)]);
    },
    async stop() {
      await app.stop();
      // Running triages end at their probe deadlines; past the grace they are cancelled.
      const finished = Promise.allSettled([...running.values()].map(({ done }) => done));
      const grace = new AbortController();
      const timedOut = await Promise.race([
        finished.then(() => false),
        delay(STOP_GRACE_MS, true, { signal: grace.signal }).catch(() => false),
      ]);
      grace.abort();
      if (timedOut) {
        for (const { controller } of running.values()) controller.abort();
        await finished;
      }
    },
  };
}

function postFailureText(error: unknown): string {
  const code = slackErrorCode(error);
  if (code === 'not_in_channel' || code === 'channel_not_found')
    return "I can't post in this channel. Invite me with `/invite @rdp-triage`, or send me a direct message.";
  return `Sorry, I couldn't post the answer: ${escapeMrkdwn(describeError(error))}`;
}

/** The `error` field of a Web API answer (`invalid_auth`, `not_in_channel`), or the error's message. */
function slackErrorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'data' in error) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === 'string') return data.error;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Bolt logs through our pino logger; web-api redacts tokens before it logs a request. */
function toBoltLogger(log: Logger): BoltLogger {
  const join = (parts: unknown[]) =>
    parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
  return {
    debug: (...parts) => log.debug(join(parts)),
    info: (...parts) => log.info(join(parts)),
    warn: (...parts) => log.warn(join(parts)),
    error: (...parts) => log.error(join(parts)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
