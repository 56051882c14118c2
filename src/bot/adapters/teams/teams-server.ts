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
import type { TeamsSettings } from '../../../config/teams-env.js';
import { type CoreOption, coreFrom } from '../../conversation/chat-core.js';
import { createWatch, type WatchDeps } from '../../watch/watched-channel.js';
import { type ApiErrorListener, thrownReason } from '../api-errors.js';
import { listenJson } from '../json-endpoint.js';
import { createTeamsBot } from './teams-bot.js';

export type TeamsOptions = CoreOption & {
  settings: TeamsSettings;
  logger: Logger;
  /** Edit budget per card. Teams allows 7 sends / s and 60 / 30 s per conversation (platform-limits.md). */
  minUpdateIntervalMs?: number;
  /** How long a user's turn waits for the first card before posting it proactively (default 5 s). */
  turnBudgetMs?: number;
  /**
   * OpenID metadata of the Bot Connector's signing keys (default login.botframework.com). Set it for
   * a sovereign cloud, or to a local document in tests.
   */
  openIdMetadataUrl?: string;
  /** Watched triage channels answered unasked (src/bot/watch). */
  watch?: Omit<WatchDeps, 'core' | 'log'>;
  /** Told of every Bot Connector send, edit or delete that failed (metrics). */
  onApiError?: ApiErrorListener;
};

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
export async function startTeams(options: TeamsOptions): Promise<TeamsServer> {
  const { settings, openIdMetadataUrl, onApiError } = options;
  const log = options.logger.child({ platform: 'teams' });
  const core = coreFrom(options, log);
  const watch = options.watch && createWatch({ ...options.watch, core, log: log.child({ watch: true }) });
  const authenticated = settings.appId !== '';
  const tenant = settings.botFrameworkAuth.MicrosoftAppTenantId ?? 'botframework.com';
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...settings.botFrameworkAuth,
    ...(openIdMetadataUrl !== undefined && {
      ...PUBLIC_CLOUD,
      ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
      ToChannelFromBotLoginUrl: `https://login.microsoftonline.com/${tenant}`,
    }),
  });
  const adapter = new ValidatingCloudAdapter(auth, onApiError);
  const bot = createTeamsBot({
    core,
    minUpdateIntervalMs: options.minUpdateIntervalMs ?? 1000,
    ...(options.turnBudgetMs !== undefined && { turnBudgetMs: options.turnBudgetMs }),
    ...(watch && { watch }),
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

  const endpoint = await listenJson({
    path: TEAMS_PATH,
    host: settings.host,
    port: settings.port,
    maxBodyBytes: MAX_BODY_BYTES,
    log,
    listenHint: ['Teams', 'set TEAMS_PORT / TEAMS_HOST'],
    admit: (headers) =>
      authenticated && !headers.authorization ? { status: 401, body: { error: 'unauthorized' } } : undefined,
    async handle(body, headers) {
      const parsed = activitySchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : '';
        return { status: 400, body: { error: `invalid activity: ${where}` } };
      }
      if (!authenticated && !isLoopbackUrl(parsed.data.serviceUrl))
        return {
          status: 400,
          body: {
            error: 'without MICROSOFT_APP_ID only a local serviceUrl (Bot Framework Emulator) is accepted',
          },
        };
      let invoke: InvokeResponse | undefined;
      try {
        const activity = parsed.data as unknown as Activity;
        invoke = await adapter.run(headers.authorization ?? '', activity, (context) => bot.onTurn(context));
      } catch (error) {
        const status = authFailureStatus(error);
        if (status === undefined) throw error;
        log.warn({ status, reason: (error as Error).message }, 'Teams request rejected');
        return { status, body: { error: status === 401 ? 'unauthorized' : 'authentication unavailable' } };
      }
      return invoke ? { status: invoke.status, body: invoke.body } : { status: 200 };
    },
  });
  if (authenticated)
    log.info({ url: endpoint.url, appId: settings.appId }, 'Teams bot listening; requests are JWT-verified');
  else
    log.warn(
      { url: endpoint.url },
      'TEAMS AUTHENTICATION IS OFF: no MICROSOFT_APP_ID, so requests are NOT verified. Use this only with the local Bot Framework Emulator.',
    );

  return {
    url: endpoint.url,
    port: endpoint.port,
    authenticated,
    stop: () => endpoint.stop(),
    drain: (graceMs) => bot.stop(graceMs),
    idle: () => bot.idle(),
    health: () => (endpoint.listening() ? { ok: true } : { ok: false, detail: 'HTTP listener closed' }),
    tellInterrupted: ({ messageRef }, text) => bot.tellInterrupted(messageRef, text),
  };
}

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
