import type {
  AppOptions,
  Logger as BoltLogger,
  HTTPReceiverOptions,
  SocketModeReceiverOptions,
  webApi,
} from '@slack/bolt';
import { z } from 'zod';
import { TriageError } from '../errors.js';

/**
 * Slack settings, read from the environment (the names Slack's own samples use).
 *
 * | variable | meaning |
 * |---|---|
 * | `SLACK_BOT_TOKEN` | bot token `xoxb-…` (OAuth & Permissions). Set → Slack is served |
 * | `SLACK_APP_TOKEN` | app-level token `xapp-…` with `connections:write`. Set → Socket Mode (no public URL) |
 * | `SLACK_SIGNING_SECRET` | 32 hex characters (Basic Information). Required without `SLACK_APP_TOKEN`: the HTTP receiver checks every request's signature with it |
 * | `SLACK_PORT` | port of the HTTP receiver, `POST /slack/events` (default 3000) |
 * | `SLACK_HOST` | listen address of the HTTP receiver (default `0.0.0.0`: Slack must reach it, usually through a reverse proxy) |
 * | `SLACK_API_URL` | Web API base (default `https://slack.com/api/`; GovSlack: `https://slack-gov.com/api/`) |
 */
export type SlackSettings = (
  | { mode: 'socket'; botToken: string; appToken: string }
  | { mode: 'http'; botToken: string; signingSecret: string; port: number; host: string }
) & { apiUrl?: string };

const envSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token starting with xoxb- (OAuth & Permissions page)')
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(
      /^xapp-[A-Za-z0-9-]+$/,
      'must be an app-level token starting with xapp- (App-Level Tokens section of the app settings)',
    )
    .optional(),
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^[0-9a-f]{32}$/i, 'must be 32 hex characters (App Credentials section of the app settings)')
    .optional(),
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_HOST: z.string().min(1).default('0.0.0.0'),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL ending in /api/' })
    .regex(/\/api\/$/, 'must end in /api/')
    .optional(),
});

/** The slash command and the message shortcut the app manifest declares (manifest/slack.json). */
export const SLASH_COMMAND = '/rdp';
export const SHORTCUT_CALLBACK_ID = 'triage_message';

/**
 * `chat.update` is Tier 3 (50+ per minute per workspace) and the reference asks for at most one
 * edit per second per message (platform-limits.md, Slack); 1.2 s leaves room for a few triages
 * running at once. The conversation core coalesces edits to this and always sends the final one.
 */
export const SLACK_MIN_UPDATE_INTERVAL_MS = 1200;
/** Workspace-wide progress edits per minute (chat.update's Tier 3); final edits always go. */
export const SLACK_EDITS_PER_MINUTE = 50;
/** A chat reply is worthless after a few minutes: fewer 429 retries than the client's 30-minute default. */
export const SLACK_RETRY_CONFIG = {
  retries: 4,
  factor: 2,
  minTimeout: 1000,
  maxTimeout: 20_000,
  randomize: true,
};

/** The variables that switch Slack on; `serve` uses them to decide which surfaces to start. */
export const SLACK_ENV_NAMES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'] as const;

/**
 * Slack settings from the environment, or `null` when no Slack variable is set. Missing or
 * malformed values throw `STARTUP_INVALID` naming the variable (never its value).
 */
export function readSlackSettings(env: NodeJS.ProcessEnv = process.env): SlackSettings | null {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  if (!SLACK_ENV_NAMES.some((name) => name in present)) return null;
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw invalidEnvironment(parsed.error);
  }
  const values = parsed.data;
  if (!values.SLACK_BOT_TOKEN)
    throw new TriageError('STARTUP_INVALID', 'Slack: SLACK_BOT_TOKEN is required (the xoxb- bot token)');
  const api = values.SLACK_API_URL ? { apiUrl: values.SLACK_API_URL } : {};
  if (values.SLACK_APP_TOKEN)
    return { mode: 'socket', botToken: values.SLACK_BOT_TOKEN, appToken: values.SLACK_APP_TOKEN, ...api };
  if (!values.SLACK_SIGNING_SECRET)
    throw new TriageError(
      'STARTUP_INVALID',
      'Slack: set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for the HTTP receiver (/slack/events)',
    );
  return {
    mode: 'http',
    botToken: values.SLACK_BOT_TOKEN,
    signingSecret: values.SLACK_SIGNING_SECRET,
    port: values.SLACK_PORT,
    host: values.SLACK_HOST,
    ...api,
  };
}

/**
 * What Bolt is built from: the receiver (Socket Mode, or HTTP on `/slack/events` checking every
 * request's signature) and the App's own options. The Web API client retries a 429 a few times
 * only and talks to SLACK_API_URL when set; the caller brings the logger and any client options
 * of its own (tests: a local API server; metrics: a counting fetch).
 */
export function boltOptions(
  settings: SlackSettings,
  { logger, clientOptions = {} }: { logger: BoltLogger; clientOptions?: webApi.WebClientOptions },
): {
  receiver:
    | { mode: 'socket'; options: SocketModeReceiverOptions }
    | { mode: 'http'; options: HTTPReceiverOptions };
  app: AppOptions;
} {
  const client: webApi.WebClientOptions = {
    retryConfig: SLACK_RETRY_CONFIG,
    ...(settings.apiUrl && { slackApiUrl: settings.apiUrl }),
    ...clientOptions,
  };
  const receiver =
    settings.mode === 'socket'
      ? {
          mode: 'socket' as const,
          options: { appToken: settings.appToken, logger, installerOptions: { clientOptions: client } },
        }
      : {
          mode: 'http' as const,
          options: { signingSecret: settings.signingSecret, endpoints: '/slack/events', logger },
        };
  return {
    receiver,
    app: { token: settings.botToken, logger, clientOptions: client, deferInitialization: true },
  };
}

/**
 * What posting alone needs (`rdp-triage monitor --once` tells the helpdesk and the reporters, and
 * receives nothing): the bot token and the Web API base. Null without SLACK_BOT_TOKEN; a malformed
 * value throws `STARTUP_INVALID` naming the variable. The receiver's variables are not asked for.
 */
export function readSlackPostSettings(
  env: NodeJS.ProcessEnv = process.env,
): { botToken: string; apiUrl?: string } | null {
  if (!env.SLACK_BOT_TOKEN) return null;
  const parsed = envSchema
    .pick({ SLACK_BOT_TOKEN: true, SLACK_API_URL: true })
    .safeParse({ SLACK_BOT_TOKEN: env.SLACK_BOT_TOKEN, SLACK_API_URL: env.SLACK_API_URL || undefined });
  if (!parsed.success) {
    throw invalidEnvironment(parsed.error);
  }
  const { SLACK_BOT_TOKEN: botToken, SLACK_API_URL: apiUrl } = parsed.data;
  return { botToken: botToken as string, ...(apiUrl && { apiUrl }) };
}

/** `STARTUP_INVALID` naming the first bad variable and what is wrong with it (never its value). */
function invalidEnvironment(error: z.ZodError): TriageError {
  const issue = error.issues[0];
  return new TriageError(
    'STARTUP_INVALID',
    `Slack: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid environment'}`,
  );
}
