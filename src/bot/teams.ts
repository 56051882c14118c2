import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { GroupDirectory } from '../access/group-directory.js';
import type { WatchConfig } from '../config/watch-schema.js';
import { TriageError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import type { Understanding } from '../report/understanding.js';
import { createMemoryDedupeStore, type DedupeStore } from '../store/dedupe-store.js';
import { createMemoryFeedbackStore, type FeedbackStore, type FeedbackVote } from '../store/feedback-store.js';
import { type ApiErrorListener, countingHttpFetch, thrownReason } from './api-errors.js';
import type { Conversation } from './conversation.js';
import { createTeamsBot } from './teams-bot.js';
import { createTeamsGroups, readGraphGroupSettings } from './teams-groups.js';
import { readTeamsSettings, type TeamsSettings } from './teams-settings.js';

export interface TeamsOptions {
  conversation: Conversation;
  settings: TeamsSettings;
  feedback?: FeedbackStore;
  /** Called after a vote is stored (serve refreshes the ranking statistics). */
  onVote?: (vote: FeedbackVote) => Promise<void>;
  dedupe?: DedupeStore;
  logger?: Logger;
  /** Edit budget per card. Teams allows 7 sends / s and 60 / 30 s per conversation (platform-limits.md). */
  minUpdateIntervalMs?: number;
  /** How long a user's turn waits for the first card before posting it proactively (default 5 s). */
  turnBudgetMs?: number;
  /**
   * OpenID metadata of the Bot Connector's signing keys (default login.botframework.com). Set it for
   * a sovereign cloud, or to a local document in tests.
   */
  openIdMetadataUrl?: string;
  /** Watched triage channels (issue 12): the `teams` entries are answered unasked. */
  watch?: WatchConfig;
  /** The bot's understand(), which decides on watched-channel messages. */
  understand?: (text: string) => Understanding;
  /** Told of every Bot Connector send, edit or delete that failed (metrics). */
  onApiError?: ApiErrorListener;
}

export interface TeamsServer {
  /** `http://host:port/api/messages` */
  url: string;
  port: number;
  /** false in Emulator mode (no app id): requests are not authenticated. */
  authenticated: boolean;
  /**
   * Stops taking requests. Running triages go on editing their cards (serve's shutdown drains
   * them); `drain` waits for them, aborting the rest after `graceMs`.
   */
  stop(): Promise<void>;
  drain(graceMs?: number): Promise<void>;
  /** Resolves once every triage started so far has finished its card (a barrier for tests). */
  idle(): Promise<void>;
  /** For /readyz: the HTTP listener is up. */
  health(): { ok: boolean; detail?: string };
  /** Replaces the card of a triage another replica lost; false when it was never posted. */
  tellInterrupted(message: { messageRef?: string }, text: string): Promise<boolean>;
}

export const TEAMS_PATH = '/api/messages';
const MAX_BODY_BYTES = 512 * 1024;

/** Public-cloud Bot Framework endpoints; spelled out because overriding one means passing all. */
const PUBLIC_CLOUD = {
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl:
    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
};

/**
 * `CloudAdapter` whose turn entry is called with an activity this module already validated, and
 * which reports every failed call to the Bot Connector: each send, edit and delete of the bot,
 * in a user's turn or proactive, goes through these three methods.
 */
class ValidatingCloudAdapter extends CloudAdapter {
  readonly #onApiError: ApiErrorListener;
  constructor(auth: ConstructorParameters<typeof CloudAdapter>[0], onApiError: ApiErrorListener = () => {}) {
    super(auth);
    this.#onApiError = onApiError;
  }
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authHeader, activity, logic);
  }
  override sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    return this.#counted('sendActivities', super.sendActivities(context, activities));
  }
  override updateActivity(
    context: TurnContext,
    activity: Partial<Activity>,
  ): ReturnType<CloudAdapter['updateActivity']> {
    return this.#counted('updateActivity', super.updateActivity(context, activity));
  }
  override deleteActivity(context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    return this.#counted('deleteActivity', super.deleteActivity(context, reference));
  }
  #counted<T>(method: string, call: Promise<T>): Promise<T> {
    return call.catch((error: unknown) => {
      this.#onApiError('teams', method, thrownReason(error));
      throw error;
    });
  }
}

const account = z.looseObject({ id: z.string().min(1).max(512), name: z.string().max(512).optional() });
/** What must be true of an activity before botbuilder sees it (it throws on a missing `type`). */
const activitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(512).optional(),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id: z.string().min(1).max(1024),
    conversationType: z.string().max(64).optional(),
  }),
  text: z.string().max(100_000).optional(),
  replyToId: z.string().max(512).optional(),
  entities: z
    .array(z.looseObject({ type: z.string() }))
    .max(100)
    .optional(),
});

/**
 * Serves the Teams bot: `POST /api/messages` through botbuilder's `CloudAdapter`. Requests are
 * JWT-checked whenever an app id is set; without one (Bot Framework Emulator) nothing is checked,
 * which is logged loudly, the listener defaults to loopback and replies go to loopback only.
 */
export async function startTeams({
  conversation,
  settings,
  feedback = createMemoryFeedbackStore(),
  onVote,
  dedupe = createMemoryDedupeStore(),
  logger = createLogger(),
  minUpdateIntervalMs = 1000,
  turnBudgetMs,
  openIdMetadataUrl,
  watch,
  understand,
  onApiError,
}: TeamsOptions): Promise<TeamsServer> {
  const watched =
    watch?.channels.filter((channel) => channel.platform === 'teams').map((channel) => channel.id) ?? [];
  const log = logger.child({ platform: 'teams' });
  const authenticated = settings.appId !== '';
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...settings.botFrameworkAuth,
    ...(openIdMetadataUrl !== undefined && {
      ...PUBLIC_CLOUD,
      ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
      ToChannelFromBotLoginUrl: `https://login.microsoftonline.com/${settings.botFrameworkAuth.MicrosoftAppTenantId ?? 'botframework.com'}`,
    }),
  });
  const adapter = new ValidatingCloudAdapter(auth, onApiError);
  const bot = createTeamsBot({
    conversation,
    feedback,
    ...(onVote && { onVote }),
    dedupe,
    minUpdateIntervalMs,
    ...(turnBudgetMs !== undefined && { turnBudgetMs }),
    ...(watch &&
      understand &&
      watched.length > 0 && { watch: { channels: watched, minConfidence: watch.minConfidence, understand } }),
    // Attachments need the bot's token; take the turn's connector client now, ask it for a token later.
    tokenSource: (context) => {
      const client = context.turnState.get(adapter.ConnectorClientKey) as
        | { credentials?: { getToken?: () => Promise<string> } }
        | undefined;
      return async () => (authenticated ? client?.credentials?.getToken?.() : undefined);
    },
    logger: log,
    continueConversation: (reference, logic) =>
      adapter.continueConversationAsync(settings.appId, reference, logic),
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      log.error({ err: error }, 'Teams request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });
  // Bound slow clients: the Bot Connector sends small bodies and waits at most 15 s for an answer.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== TEAMS_PATH)
      return send(res, 404, { error: `not found; the bot listens on POST ${TEAMS_PATH}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
    const header = req.headers.authorization ?? '';
    if (authenticated && header === '') return send(res, 401, { error: 'unauthorized' });
    const body = await readJson(req);
    if (!body.ok) return send(res, body.status, { error: body.error });
    const parsed = activitySchema.safeParse(body.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return send(res, 400, {
        error: `invalid activity: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
      });
    }
    if (!authenticated && !isLoopbackUrl(parsed.data.serviceUrl))
      return send(res, 400, {
        error: 'without MICROSOFT_APP_ID only a local serviceUrl (Bot Framework Emulator) is accepted',
      });
    let invoke: InvokeResponse | undefined;
    try {
      invoke = await adapter.run(header, parsed.data as unknown as Activity, (context) =>
        bot.onTurn(context),
      );
    } catch (error) {
      const status = authFailureStatus(error);
      if (status === undefined) throw error;
      log.warn({ status, reason: (error as Error).message }, 'Teams request rejected');
      return send(res, status, { error: status === 401 ? 'unauthorized' : 'authentication unavailable' });
    }
    if (invoke) return send(res, invoke.status, invoke.body);
    return send(res, 200, undefined);
  }

  server.listen(settings.port, settings.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new TriageError(
      'STARTUP_INVALID',
      `Teams cannot listen on ${settings.host}:${settings.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set TEAMS_PORT / TEAMS_HOST`,
      { cause: error },
    );
  }
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${TEAMS_PATH}`;
  if (authenticated)
    log.info({ url, appId: settings.appId }, 'Teams bot listening; requests are JWT-verified');
  else
    log.warn(
      { url },
      'TEAMS AUTHENTICATION IS OFF: no MICROSOFT_APP_ID, so requests are NOT verified. Use this only with the local Bot Framework Emulator.',
    );

  return {
    url,
    port,
    authenticated,
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      // A turn answers within a second or two; do not let a stuck client hold the shutdown.
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(force);
    },
    drain: (graceMs) => bot.stop(graceMs),
    idle: () => bot.idle(),
    health: () => (server.listening ? { ok: true } : { ok: false, detail: 'HTTP listener closed' }),
    tellInterrupted: ({ messageRef }, text) => bot.tellInterrupted(messageRef, text),
  };
}

/**
 * `serve`'s entry for Teams (the `SurfaceStarter` shape of serve.ts): on when MICROSOFT_APP_ID is
 * set, or TEAMS_ENABLED=true for the Emulator. Bad settings throw before anything starts.
 */
export const TEAMS_STARTER = {
  name: 'teams',
  enabledBy:
    'MICROSOFT_APP_ID (+ MICROSOFT_APP_PASSWORD or a certificate), or TEAMS_ENABLED=true for the Bot Framework Emulator',
  detect(env: NodeJS.ProcessEnv) {
    const settings = readTeamsSettings(env);
    if (!settings) return null;
    // Roles granted by Entra ID group (access.roles[].groups) ask Microsoft Graph; none in Emulator mode.
    const graph = readGraphGroupSettings(settings, env);
    return async (
      context: Omit<TeamsOptions, 'settings'> & { registerGroups?: GroupDirectory['register'] },
    ) => {
      if (graph !== null)
        context.registerGroups?.(
          'teams',
          createTeamsGroups(graph, {
            logger: context.logger ?? createLogger(),
            // Failed Graph / token calls count in /metrics like the Bot Connector's.
            ...(context.onApiError && {
              fetch: countingHttpFetch(
                'teams',
                (url) => (url.pathname.endsWith('/token') ? 'entra.token' : 'graph.memberOf'),
                context.onApiError,
              ),
            }),
          }),
        );
      const teams = await startTeams({ ...context, settings });
      return {
        name: 'teams',
        address: teams.url,
        stop: () => teams.stop(),
        health: () => teams.health(),
        tellInterrupted: async (message: { messageRef?: string }, text: string) => {
          // Teams has no channel-wide post without a stored conversation reference: say so in the log.
          if (!(await teams.tellInterrupted(message, text)))
            throw new Error('its card was never posted, so there is no Teams conversation to tell');
        },
      };
    };
  },
};

/** 401 for any token problem; botbuilder only maps its own `AuthenticationError` (platform-limits.md). */
function authFailureStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  // botframework-connector's AuthenticationError carries the status it wants.
  const status = (error as { statusCode?: unknown }).statusCode;
  if (error.name === 'AuthenticationError' || typeof status === 'number')
    return typeof status === 'number' && status >= 400 && status < 600 ? status : 401;
  // jsonwebtoken's errors (bad signature, alg none, expired, not yet valid) escape as-is.
  if (['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes(error.name)) return 401;
  return undefined;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; error: string };

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, error: 'body too large' };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, error: 'body is not JSON' };
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(text);
}
