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
import { describeError, TriageError } from '../../../errors.js';
import type { Reply } from '../../../report/reply.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import { createEditBudget, type EditBudget } from '../../conversation/edit-budget.js';
import { escapeMrkdwn } from '../../render/slack.js';
import type { Watch } from '../../watch/watched-channel.js';
import { countingSlackFetch } from '../api-errors.js';
import { type SurfaceOptions, surfaceCore } from '../surface-core.js';
import { type AnswerInSlack, registerReportActions } from './slack-actions.js';
import * as translate from './slack-incoming.js';
import { createSlackSurface } from './slack-surface.js';

export type SlackAppDeps = SurfaceOptions & {
  settings: SlackSettings;
  now?: () => number;
  /** Web API client options; tests point `slackApiUrl` at a local server. */
  clientOptions?: webApi.WebClientOptions;
  minUpdateIntervalMs?: number;
  /** Workspace-wide budget of progress edits (chat.update is Tier 3, ≈ 50 / min); finals always go. */
  editBudget?: EditBudget;
};

export interface SlackService {
  /** Checks the bot token (auth.test), then listens (HTTP) or connects (Socket Mode). */
  start(): Promise<{ mode: SlackSettings['mode']; port?: number }>;
  /** Stops receiving; running triages finish (cancelled after a grace period) and post their last edit. */
  stop(): Promise<void>;
  /** For /readyz: Socket Mode connected (Slack said hello), or the HTTP receiver listening. */
  health(): { ok: boolean; detail?: string };
  /** Shows `reply` as an edit of `messageRef`, or a new post (in `thread`); resolves to its `ts`. */
  show(where: { channel: string; thread?: string; messageRef?: string }, reply: Reply): Promise<string>;
  /** Resolves once every request so far went through its listener and its triage posted its last edit. */
  idle(): Promise<void>;
}

export const SLASH_COMMAND = '/rdp';
export const SHORTCUT_CALLBACK_ID = 'triage_message';
/** A chat reply is worthless after a few minutes: fewer 429 retries than the client's 30-minute default. */
const RETRY_CONFIG = { retries: 4, factor: 2, minTimeout: 1000, maxTimeout: 20_000, randomize: true };

/** What the listeners share: the core, the one way to answer, the files reader, the watch. */
interface Listening {
  core: ChatCore;
  answer: AnswerInSlack;
  filesOf: translate.FilesOf;
  watch: Watch | undefined;
  editBudget: EditBudget;
  log: Logger;
}

/** The Slack adapter: Bolt events in, core calls, Block Kit messages out. */
export function createSlackApp(deps: SlackAppDeps): SlackService {
  const { settings, now = Date.now } = deps;
  const { log, core, watch } = surfaceCore(deps, 'slack');
  const editBudget = deps.editBudget ?? createEditBudget({ perMinute: 50, now });
  const { app, receiver, isUp } = boltApp(deps, log);
  // Bolt acks an event before it runs the listeners: count them, so idle() waits for them too.
  app.use(async ({ next }) => {
    const listeners = next();
    core.track(listeners);
    await listeners;
  });
  const answer: AnswerInSlack = ({ incoming, target }, client, { existingTs, requestedBy, respond } = {}) => {
    const render = { requestText: incoming.text, ...(requestedBy && { requestedBy }) };
    const surface = createSlackSurface(client, target, {
      existingTs,
      render,
      minUpdateIntervalMs: deps.minUpdateIntervalMs,
    });
    const tell = (text: string) => respond?.({ response_type: 'ephemeral', replace_original: false, text });
    return core.answer(incoming, surface, {
      ...(existingTs && { key: `slack:${target.channel}:${existingTs}` }),
      reportKey: () => surface.ts && `slack:${target.channel}:${surface.ts}`,
      ...(requestedBy && { view: { requestedBy } }),
      editBudget,
      onUnposted: async (error) => tell(postFailureText(error)),
    });
  };
  const filesOf = translate.slackFiles(settings.botToken, settings.apiUrl);
  registerListeners(app, { core, answer, filesOf, watch, editBudget, log });
  registerReportActions(app, core, answer, now);
  app.error(async (error) => log.error({ err: error }, 'slack listener failed'));
  return slackService(app, receiver, { settings, core, log, isUp });
}

function boltApp({ settings, clientOptions = {}, onApiError }: SlackAppDeps, log: Logger) {
  const clientOptionsUsed: webApi.WebClientOptions = {
    retryConfig: RETRY_CONFIG,
    ...(settings.apiUrl && { slackApiUrl: settings.apiUrl }),
    ...clientOptions,
    ...(onApiError && { fetch: countingSlackFetch(onApiError, clientOptions.fetch) }),
  };
  const logger = toBoltLogger(log);
  const receiver =
    settings.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: settings.appToken,
          logger,
          installerOptions: { clientOptions: clientOptionsUsed },
        })
      : new HTTPReceiver({ signingSecret: settings.signingSecret, endpoints: '/slack/events', logger });
  const app = new App({
    token: settings.botToken,
    receiver,
    logger,
    clientOptions: clientOptionsUsed,
    deferInitialization: true,
  });
  // Readiness: Socket Mode is up from Slack's `hello` until the socket closes; HTTP while listening.
  let up = false;
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => {
      up = true;
    });
    for (const down of ['close', 'reconnecting', 'disconnecting', 'disconnected'])
      receiver.client.on(down, () => {
        up = false;
      });
  }
  return { app, receiver, isUp: () => up };
}

function registerListeners(app: App, { core, answer, filesOf, watch, editBudget, log }: Listening): void {
  /** Slack re-sends an event it thinks was lost (x-slack-retry-num); each message is answered once. */
  const fresh = (id: string, body: { team_id?: string }) =>
    core.firstDelivery(`slack:${body.team_id ?? ''}:${id}`);
  app.event('message', async ({ event, body, context, client }) => {
    const { channel, channel_type } = event as translate.SlackMessageLike;
    if (watch?.watches('slack', channel) && channel_type !== 'im') {
      const watched = translate.fromWatched(event, context.botUserId, filesOf);
      if (watched && (await fresh(`watch:${watched.incoming.id}`, body)))
        void answerWatched({ watch, editBudget }, watched, client, context.botUserId).catch(
          (error: unknown) => log.error({ err: error }, 'watched message failed'),
        );
      return;
    }
    const translated = translate.fromDirectMessage(event, context.botUserId, filesOf);
    if (translated && (await fresh(translated.incoming.id, body))) void answer(translated, client);
  });
  app.event('app_mention', async ({ event, body, context, client }) => {
    const translated = translate.fromMention(event, context.botUserId, filesOf);
    if (translated && (await fresh(translated.incoming.id, body))) void answer(translated, client);
  });
  app.event('reaction_added', async ({ event: { item, reaction: name, user } }) => {
    if (item.type !== 'message') return;
    const reaction = { platform: 'slack', channel: item.channel, ts: item.ts, name, user };
    await watch?.onReaction(reaction).catch((error: unknown) => log.error({ err: error }, 'reaction failed'));
  });
  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const translated = translate.fromCommand(command);
    await ack({ response_type: 'ephemeral', text: translated.ack });
    if (translated.answer) void answer(translated.answer, client, { requestedBy: command.user_id, respond });
  });
  app.shortcut(SHORTCUT_CALLBACK_ID, async ({ shortcut, ack, client, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const message = { ...shortcut.message, channel: shortcut.channel.id };
    const requestedBy = shortcut.user.id;
    void answer(translate.fromShortcut(message, requestedBy), client, { requestedBy, respond });
  });
}

/** A watched channel's message through the core's watch: 👀 while probing, ✅ when answered. */
function answerWatched(
  { watch, editBudget }: { watch: Watch; editBudget: EditBudget },
  watched: NonNullable<ReturnType<typeof translate.fromWatched>>,
  client: webApi.WebClient,
  botUserId: string | undefined,
) {
  const { channel } = watched.target;
  const surface = createSlackSurface(client, watched.target, {
    render: { requestText: watched.incoming.text },
  });
  const where = { channel, timestamp: watched.ts };
  const react = (name: string, on: boolean) =>
    (on ? client.reactions.add({ ...where, name }) : client.reactions.remove({ ...where, name })).then(
      () => {},
      () => {},
    );
  return watch.handle(watched, {
    surface,
    answer: { reportKey: () => surface.ts && `slack:${channel}:${surface.ts}`, editBudget },
    // Someone already answered in the thread (a late event): stay out. A failed look-up is "not answered".
    answeredByOthers: async () => {
      const thread = await client.conversations
        .replies({ channel, ts: watched.ts, limit: 50 })
        .catch(() => null);
      const poster = watched.incoming.user;
      return (thread?.messages ?? []).some(
        (m) => m.ts !== watched.ts && m.user !== poster && m.user !== botUserId,
      );
    },
    mark: async (stage) => {
      if (stage === 'probing') return react('eyes', true);
      await react('eyes', false);
      await react('white_check_mark', true);
    },
  });
}

function slackService(
  app: App,
  receiver: HTTPReceiver | SocketModeReceiver,
  {
    settings,
    core,
    log,
    isUp,
  }: { settings: SlackSettings; core: ChatCore; log: Logger; isUp: () => boolean },
): SlackService {
  let http: { listening: boolean } | undefined;
  return {
    async start() {
      await app.init().catch((error: unknown) => {
        const why = `Slack rejected SLACK_BOT_TOKEN at auth.test (${slackErrorCode(error)})`;
        throw new TriageError('STARTUP_INVALID', why, { cause: error });
      });
      if (settings.mode === 'socket') {
        await app.start();
        log.info('slack connected (Socket Mode)');
        return { mode: 'socket' };
      }
      const server = await (receiver as HTTPReceiver).start({ port: settings.port, host: settings.host });
      http = server;
      const port = (server.address() as AddressInfo).port;
      log.info({ port }, 'slack listening on /slack/events');
      return { mode: 'http', port };
    },
    health() {
      if (settings.mode === 'socket')
        return isUp() ? { ok: true } : { ok: false, detail: 'Socket Mode not connected' };
      return http?.listening ? { ok: true } : { ok: false, detail: 'HTTP receiver not listening' };
    },
    async show({ channel, thread, messageRef }, reply) {
      // Through a surface like any reply: an edit of that message, or a post where it is due.
      const target = { channel, ...(thread && { thread }) };
      const surface = createSlackSurface(app.client, target, { existingTs: messageRef, render: {} });
      await surface.post(reply);
      return surface.ts ?? '';
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
  return `Sorry, I couldn't post the answer: ${escapeMrkdwn(describeError(error))}`;
}

/** The `error` field of a Web API answer (`invalid_auth`, `not_in_channel`), or the error's message. */
function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}

/** Bolt logs through our pino logger; web-api redacts tokens before it logs a request. */
function toBoltLogger(log: Logger): BoltLogger {
  const join = (parts: unknown[]) => parts.map(String).join(' ');
  const quiet = () => {};
  return {
    debug: (...parts) => log.debug(join(parts)),
    info: (...parts) => log.info(join(parts)),
    warn: (...parts) => log.warn(join(parts)),
    error: (...parts) => log.error(join(parts)),
    setLevel: quiet,
    getLevel: () => LogLevel.INFO,
    setName: quiet,
  };
}
