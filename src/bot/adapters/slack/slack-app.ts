import type { AddressInfo } from 'node:net';
import {
  App,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type webApi,
} from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackSettings } from '../../../config/slack-env.js';
import { TriageError } from '../../../errors.js';
import { type CoreOption, coreFrom } from '../../conversation/chat-core.js';
import { createEditBudget, type EditBudget } from '../../conversation/edit-budget.js';
import { renderSlack } from '../../render/slack.js';
import { createWatch, type Watch, type WatchDeps } from '../../watch/watched-channel.js';
import type { ApiErrorListener } from '../api-errors.js';
import { type AnswerInSlack, registerReportActions, slackErrorCode } from './slack-actions.js';
import { countingSlackFetch } from './slack-api-errors.js';
import { slackAttachments } from './slack-files.js';
import {
  fromCommand,
  fromDirectMessage,
  fromMention,
  fromShortcut,
  fromWatched,
  type Translated,
} from './slack-incoming.js';
import { createSlackSurface } from './slack-surface.js';

export type SlackAppDeps = CoreOption & {
  settings: SlackSettings;
  logger: Logger;
  now?: () => number;
  /** Web API client options; tests point `slackApiUrl` at a local server. */
  clientOptions?: webApi.WebClientOptions;
  minUpdateIntervalMs?: number;
  /** Workspace-wide budget of progress edits (chat.update is Tier 3, ≈ 50 / min); finals always go. */
  editBudget?: EditBudget;
  /** Watched triage channels answered unasked (src/bot/watch). */
  watch?: Omit<WatchDeps, 'core' | 'log'>;
  /** Told of every failed Web API call (metrics). */
  onApiError?: ApiErrorListener;
};

export interface SlackService {
  /** Checks the bot token (auth.test), then listens (HTTP) or connects (Socket Mode). */
  start(): Promise<{ mode: SlackSettings['mode']; port?: number }>;
  /** Stops receiving; running triages finish (cancelled after a grace period) and post their last edit. */
  stop(): Promise<void>;
  /** For /readyz: Socket Mode connected (Slack said hello), or the HTTP receiver listening. */
  health(): { ok: boolean; detail?: string };
  /** Replaces a lost triage's message with `text` (or posts it where the answer was due). */
  tellInterrupted(
    message: { channel: string; thread?: string; messageRef?: string },
    text: string,
  ): Promise<void>;
  /** Resolves once every request so far went through its listener and its triage posted its last edit. */
  idle(): Promise<void>;
}

export const SLASH_COMMAND = '/rdp';
export const SHORTCUT_CALLBACK_ID = 'triage_message';
/** A chat reply is worthless after a few minutes: fewer 429 retries than the client's 30-minute default. */
const RETRY_CONFIG = { retries: 4, factor: 2, minTimeout: 1000, maxTimeout: 20_000, randomize: true };

/** The Slack adapter: Bolt events in, core calls, Block Kit messages out. */
export function createSlackApp(deps: SlackAppDeps): SlackService {
  const { settings, clientOptions = {}, onApiError, now = Date.now } = deps;
  const log = deps.logger.child({ platform: 'slack' });
  const core = coreFrom(deps, log);
  const editBudget = deps.editBudget ?? createEditBudget({ perMinute: 50, now });
  const watch = deps.watch && createWatch({ ...deps.watch, core, log: log.child({ watch: true }) });
  const apiOptions: webApi.WebClientOptions = {
    retryConfig: RETRY_CONFIG,
    ...(settings.apiUrl && { slackApiUrl: settings.apiUrl }),
    ...clientOptions,
    ...(onApiError && { fetch: countingSlackFetch(onApiError, clientOptions.fetch) }),
  };
  const boltLogger = toBoltLogger(log);
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
  let up = false;
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => void (up = true));
    for (const down of ['close', 'reconnecting', 'disconnecting', 'disconnected'])
      receiver.client.on(down, () => void (up = false));
  }
  // Bolt acks an event before it runs the listeners: count them, so idle() waits for them too.
  app.use(async ({ next }) => {
    const listeners = next();
    core.track(listeners);
    await listeners;
  });

  /** Answers off the listener (Slack got its ack already); `existingTs` edits that message instead. */
  const answer: AnswerInSlack = ({ incoming, target }, client, { existingTs, requestedBy, respond } = {}) => {
    const surface = createSlackSurface({
      client,
      target,
      render: { requestText: incoming.text, ...(requestedBy && { requestedBy }) },
      ...(existingTs && { existingTs }),
      ...(deps.minUpdateIntervalMs !== undefined && { minUpdateIntervalMs: deps.minUpdateIntervalMs }),
      editBudget,
    });
    return core.answer(incoming, surface, {
      ...(existingTs && { key: `slack:${target.channel}:${existingTs}` }),
      reportKey: () => surface.ts && `slack:${target.channel}:${surface.ts}`,
      ...(requestedBy && { view: { requestedBy } }),
      onUnposted: async (error) =>
        respond?.({ response_type: 'ephemeral', replace_original: false, text: postFailureText(error) }),
    });
  };
  const filesOf = (event: { files?: unknown }) =>
    slackAttachments(event.files, {
      botToken: settings.botToken,
      ...(settings.apiUrl && { apiUrl: settings.apiUrl }),
    });
  /** Slack re-sends an event it thinks was lost (x-slack-retry-num); each message is answered once. */
  const fresh = (translated: Translated | null, body: { team_id?: string }): Promise<boolean> =>
    translated
      ? core.firstDelivery(`slack:${body.team_id ?? ''}:${translated.incoming.id}`)
      : Promise.resolve(false);

  app.event('message', async ({ event, body, context, client }) => {
    const channel = (event as { channel: string }).channel;
    if (watch?.watches('slack', channel) && (event as { channel_type?: string }).channel_type !== 'im') {
      const watched = fromWatched(event, context.botUserId, filesOf(event as { files?: unknown }));
      if (
        !watched ||
        !(await fresh(
          { incoming: { ...watched.incoming, id: `watch:${watched.incoming.id}` }, target: watched.target },
          body,
        ))
      )
        return;
      const surface = createSlackSurface({
        client,
        target: watched.target,
        render: { requestText: watched.incoming.text },
        editBudget,
      });
      const where = { channel, timestamp: watched.ts };
      const react = (name: string, on: boolean) =>
        (on ? client.reactions.add({ ...where, name }) : client.reactions.remove({ ...where, name })).then(
          () => {},
          () => {},
        );
      void watch
        .handle(watched, {
          surface,
          reportKey: () => surface.ts && `slack:${channel}:${surface.ts}`,
          answeredByOthers: () =>
            answeredByOthers(client, watched.ts, channel, watched.incoming.user, context.botUserId),
          mark: async (stage) => {
            if (stage === 'probing') return react('eyes', true);
            await react('eyes', false);
            await react('white_check_mark', true);
          },
        })
        .catch((error: unknown) => log.error({ err: error }, 'watched message failed'));
      return;
    }
    const translated = fromDirectMessage(event, context.botUserId, filesOf(event as { files?: unknown }));
    if (translated && (await fresh(translated, body))) void answer(translated, client);
  });

  app.event('reaction_added', async ({ event }) => {
    const { item } = event as { item: { type: string; channel?: string; ts?: string } };
    if (item.type === 'message' && item.channel && item.ts)
      await watch
        ?.onReaction({
          platform: 'slack',
          channel: item.channel,
          ts: item.ts,
          name: event.reaction,
          user: event.user,
        })
        .catch((error: unknown) => log.error({ err: error }, 'reaction failed'));
  });

  app.event('app_mention', async ({ event, body, context, client }) => {
    const translated = fromMention(event, context.botUserId, filesOf(event as { files?: unknown }));
    if (translated && (await fresh(translated, body))) void answer(translated, client);
  });

  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const translated = fromCommand(command);
    await ack({ response_type: 'ephemeral', text: translated.ack });
    if (translated.answer) void answer(translated.answer, client, { requestedBy: command.user_id, respond });
  });

  app.shortcut(SHORTCUT_CALLBACK_ID, async ({ shortcut, ack, client, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const message = { ...shortcut.message, channel: shortcut.channel.id };
    void answer(fromShortcut(message, shortcut.user.id), client, { requestedBy: shortcut.user.id, respond });
  });

  registerReportActions(app, { core, rerun: answer, now });
  app.error(async (error) => log.error({ err: error }, 'slack listener failed'));

  let httpServer: { listening: boolean } | undefined;
  return {
    async start() {
      await app.init().catch((error: unknown) => {
        throw new TriageError(
          'STARTUP_INVALID',
          `Slack rejected SLACK_BOT_TOKEN at auth.test (${slackErrorCode(error)})`,
          { cause: error },
        );
      });
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
        return up ? { ok: true } : { ok: false, detail: 'Socket Mode not connected' };
      return httpServer?.listening ? { ok: true } : { ok: false, detail: 'HTTP receiver not listening' };
    },
    async tellInterrupted({ channel, thread, messageRef }, text) {
      const message = renderSlack({ kind: 'text', text });
      if (messageRef !== undefined) await app.client.chat.update({ channel, ts: messageRef, ...message });
      else
        await app.client.chat.postMessage({
          channel,
          ...(thread && { thread_ts: thread }),
          ...message,
          unfurl_links: false,
          unfurl_media: false,
        });
    },
    idle: () => core.idle(),
    async stop() {
      await app.stop();
      await core.drain();
    },
  };
}

function postFailureText(error: unknown): string {
  const code = slackErrorCode(error);
  if (code === 'not_in_channel' || code === 'channel_not_found')
    return "I can't post in this channel. Invite me with `/invite @rdp-triage`, or send me a direct message.";
  return `Sorry, I couldn't post the answer: ${code}`;
}

/** Someone already answered in the thread (a late event): stay out. A failed look-up counts as "not answered". */
async function answeredByOthers(
  client: webApi.WebClient,
  ts: string,
  channel: string,
  poster: string,
  bot?: string,
) {
  const thread = await client.conversations
    .replies({ channel, ts, limit: 50 })
    .catch(() => ({ messages: [] }));
  return (thread.messages ?? []).some(
    (message) => message.ts !== ts && message.user !== poster && message.user !== bot,
  );
}

/** Bolt logs through our pino logger; web-api redacts tokens before it logs a request. */
function toBoltLogger(log: Logger): BoltLogger {
  const join = (parts: unknown[]) => parts.map(String).join(' ');
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
