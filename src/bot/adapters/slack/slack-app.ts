import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { boltOptions, SLACK_EDITS_PER_MINUTE, type SlackSettings } from '../../../config/slack-env.js';
import { describeError, TriageError } from '../../../errors.js';
import { toBoltLogger } from '../../../log/bolt-logger.js';
import type { Reply } from '../../../report/reply.js';
import { slackFiles } from '../../attachments/slack-files.js';
import type { ChatCore } from '../../conversation/chat-core.js';
import { createEditBudget, type EditBudget } from '../../conversation/edit-budget.js';
import { slackUnpostedText } from '../../render/slack.js';
import { countingSlackFetch } from '../api-errors.js';
import { type SurfaceOptions, surfaceCore } from '../surface-core.js';
import { type AnswerInSlack, registerListeners, registerReportActions } from './slack-listeners.js';
import { createSlackSurface, showInSlack } from './slack-surface.js';

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

/** The Slack adapter: Bolt events in, core calls, Block Kit messages out. */
export function createSlackApp(deps: SlackAppDeps): SlackService {
  const { settings, now = Date.now } = deps;
  const { log, core, watch } = surfaceCore(deps, 'slack');
  const editBudget = deps.editBudget ?? createEditBudget({ perMinute: SLACK_EDITS_PER_MINUTE, now });
  const { app, receiver, isUp } = boltApp(deps, log);
  // Bolt acks an event before it runs the listeners: count them, so idle() waits for them too.
  app.use(async ({ next }) => {
    const listeners = next();
    core.track(listeners);
    await listeners;
  });
  const answer: AnswerInSlack = ({ incoming, target }, client, { existingTs, requestedBy, respond } = {}) => {
    const render = { requestText: incoming.text, ...(requestedBy && { requestedBy }) };
    const { minUpdateIntervalMs } = deps;
    const surface = createSlackSurface(client, target, { existingTs, render, minUpdateIntervalMs });
    const tell = (text: string) => respond?.({ response_type: 'ephemeral', replace_original: false, text });
    return core.answer(incoming, surface, {
      ...(existingTs && { key: `slack:${target.channel}:${existingTs}` }),
      reportKey: () => surface.messageRef && `slack:${target.channel}:${surface.messageRef}`,
      ...(requestedBy && { view: { requestedBy } }),
      editBudget,
      onUnposted: async (error) => tell(slackUnpostedText(slackErrorCode(error), describeError(error))),
    });
  };
  const filesOf = slackFiles(settings.botToken, settings.apiUrl);
  registerListeners(app, { core, answer, filesOf, watch, editBudget, log });
  registerReportActions(app, core, answer, now);
  app.error(async (error) => log.error({ err: error }, 'slack listener failed'));
  return slackService(app, receiver, { settings, core, log, isUp });
}

function boltApp({ settings, clientOptions = {}, onApiError }: SlackAppDeps, log: Logger) {
  const options = boltOptions(settings, {
    logger: toBoltLogger(log),
    clientOptions: {
      ...clientOptions,
      ...(onApiError && { fetch: countingSlackFetch(onApiError, clientOptions.fetch) }),
    },
  });
  const receiver =
    options.receiver.mode === 'socket'
      ? new SocketModeReceiver(options.receiver.options)
      : new HTTPReceiver(options.receiver.options);
  const app = new App({ ...options.app, receiver });
  // Readiness: Socket Mode is up from Slack's `hello` until the socket closes; HTTP while listening.
  let up = false;
  if (receiver instanceof SocketModeReceiver)
    for (const [event, state] of SOCKET_STATES) receiver.client.on(event, () => (up = state));
  return { app, receiver, isUp: () => up };
}

const SOCKET_STATES = [
  ['connected', true],
  ...['close', 'reconnecting', 'disconnecting', 'disconnected'].map((event) => [event, false] as const),
] as const;

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
    show: showInSlack(app.client),
    idle: () => core.idle(),
    async stop() {
      await app.stop();
      await core.drain();
    },
  };
}

/** The `error` field of a Web API answer (`invalid_auth`, `not_in_channel`), or the error's message. */
function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}
