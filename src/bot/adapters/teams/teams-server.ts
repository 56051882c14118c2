import type { Activity, TurnContext } from 'botbuilder';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { z } from 'zod';
import { TEAMS_MIN_UPDATE_INTERVAL_MS, type TeamsSettings } from '../../../config/teams-env.js';
import {
  loadConversationReferences,
  type ReferenceOptions,
} from '../../conversation/conversation-references.js';
import type { ShowMessage } from '../../conversation/ports.js';
import { countFailedCalls } from '../failed-calls.js';
import { surfaceCore } from '../surface-core.js';
import { serveWebhook, type WebhookServer, type WebhookSurfaceOptions } from '../webhook-server.js';
import { onTurn, showMessage, type TeamsBot, tellInterrupted } from './teams-bot.js';

/**
 * `minUpdateIntervalMs`: Teams allows 7 sends / s and 60 / 30 s per conversation (platform-limits.md).
 * `helpdesk`, `conversations`: the helpdesk channel and where learned references are kept.
 */
export type TeamsOptions = WebhookSurfaceOptions & ReferenceOptions & { settings: TeamsSettings };

/** `authenticated` is false in Emulator mode (no app id). `show`: a message nobody just asked for. */
export type TeamsServer = WebhookServer & {
  show: ShowMessage;
  minUpdateIntervalMs: number;
};

/**
 * `CloudAdapter` whose turn entry is called with an activity this module already validated;
 * botbuilder checks the JWT, then runs the bot's turn, and an invoke's answer is the HTTP answer.
 */
class ValidatingCloudAdapter extends CloudAdapter {
  async run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return (await this.processActivity(authHeader, activity, logic)) ?? { status: 200 };
  }
}

/** Each send, edit and delete of the bot, in a user's turn or proactive, goes through these three. */
const CONNECTOR_CALLS = ['sendActivities', 'updateActivity', 'deleteActivity'] as const;

const entity = z.looseObject({ type: z.string() });
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
  entities: z.array(entity).max(100).optional(),
});

/**
 * Serves the Teams bot: `POST /api/messages` through botbuilder's `CloudAdapter`. Requests are
 * JWT-checked whenever an app id is set; without one (Bot Framework Emulator) nothing is checked,
 * which is logged loudly, the listener defaults to loopback and replies go to loopback only.
 */
export async function startTeams(options: TeamsOptions): Promise<TeamsServer> {
  const { settings } = options;
  const auth = new ConfigurationBotFrameworkAuthentication(settings.botFrameworkAuth);
  const adapter = new ValidatingCloudAdapter(auth);
  // Every failed call to the Bot Connector is told to the metrics.
  if (options.onApiError) countFailedCalls(adapter, CONNECTOR_CALLS, 'teams', options.onApiError);
  const bot: TeamsBot = {
    ...surfaceCore(options, 'teams'),
    adapter,
    appId: settings.appId,
    minUpdateIntervalMs: options.minUpdateIntervalMs ?? TEAMS_MIN_UPDATE_INTERVAL_MS,
    turnBudgetMs: options.turnBudgetMs ?? 5000,
    references: await loadConversationReferences(options, settings),
  };
  const server = await serveWebhook({
    path: '/api/messages',
    host: settings.host,
    port: settings.port,
    maxBodyBytes: 512 * 1024,
    log: bot.log,
    listenHint: ['Teams', 'set TEAMS_PORT / TEAMS_HOST'],
    authenticated: settings.appId !== '',
    identity: { appId: settings.appId },
    emulator: { setting: 'MICROSOFT_APP_ID', name: 'Bot Framework Emulator' },
    replyUrl: { field: 'serviceUrl', of: (activity) => activity.serviceUrl },
    schema: activitySchema,
    noun: 'activity',
    handle: (activity, headers) =>
      adapter.run(headers.authorization ?? '', activity as unknown as Activity, (turn) => onTurn(bot, turn)),
    core: bot.core,
    tellInterrupted: (messageRef, text) => tellInterrupted(bot, messageRef, text),
  });
  const show: ShowMessage = (where, reply) => showMessage(bot, where, reply);
  return { ...server, show, minUpdateIntervalMs: bot.minUpdateIntervalMs };
}
