import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TriageError } from '../errors.js';

/**
 * Teams settings, read from the environment (the names Azure Bot Service and the Teams Toolkit use).
 *
 * | variable | meaning |
 * |---|---|
 * | `MICROSOFT_APP_ID` | the bot's Microsoft App ID (Azure Bot resource). Set → Teams is served and every request must carry a valid Bot Framework JWT |
 * | `MICROSOFT_APP_PASSWORD` | client secret of that app (or use a certificate) |
 * | `MICROSOFT_APP_CERTIFICATE_THUMBPRINT`, `MICROSOFT_APP_CERTIFICATE_KEY_FILE` | certificate credentials instead of a secret (PEM private key file) |
 * | `MICROSOFT_APP_TENANT_ID` | tenant of a `SingleTenant` or `UserAssignedMSI` app |
 * | `MICROSOFT_APP_TYPE` | `MultiTenant` (default), `SingleTenant` or `UserAssignedMSI` |
 * | `TEAMS_ENABLED` | `true` serves Teams even without an app id: local Bot Framework Emulator use, no authentication |
 * | `TEAMS_PORT` | port of `POST /api/messages` (default 3978) |
 * | `TEAMS_HOST` | listen address (default `0.0.0.0` with an app id, `127.0.0.1` without) |
 * | `TEAMS_SERVICE_URL` | Bot Connector the helpdesk channel (config `incidents.helpdesk.teams`) is posted through before the bot has seen an activity there (default with an app id: the public cloud's `https://smba.trafficmanager.net/teams/`) |
 * | `TEAMS_TENANT_ID` | tenant of that channel (default `MICROSOFT_APP_TENANT_ID`) |
 */
export interface TeamsSettings {
  /** Empty when authentication is off (Emulator mode). */
  appId: string;
  /**
   * Options for botbuilder's `ConfigurationBotFrameworkAuthentication`, whole (the adapter passes them
   * as they are); secrets stay in here, never logged.
   */
  botFrameworkAuth: Record<string, string>;
  port: number;
  host: string;
  /**
   * Where the helpdesk channel is written to until the bot has received an activity there (which
   * then names its region's Bot Connector); absent in Emulator mode without TEAMS_SERVICE_URL.
   */
  serviceUrl?: string;
  tenantId?: string;
}

/**
 * Least wait between two edits of one Teams message: Teams allows 7 sends / s and 60 / 30 s per
 * conversation (platform-limits.md). serve's cards and the helpdesk posts of `monitor --once`.
 */
export const TEAMS_MIN_UPDATE_INTERVAL_MS = 1000;

/**
 * The public cloud's Bot Connector for proactive messages to a conversation the bot has not heard
 * from since it started (learn.microsoft.com, "Send proactive messages": global serviceUrl).
 */
const PUBLIC_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

const envSchema = z
  .object({
    MICROSOFT_APP_ID: z
      .string()
      .regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, 'must be a GUID (the Microsoft App ID)')
      .optional(),
    MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
    MICROSOFT_APP_CERTIFICATE_THUMBPRINT: z
      .string()
      .regex(/^[0-9A-Fa-f]{40}$/, 'must be a SHA-1 thumbprint')
      .optional(),
    MICROSOFT_APP_CERTIFICATE_KEY_FILE: z.string().min(1).optional(),
    MICROSOFT_APP_TENANT_ID: z.string().min(1).optional(),
    MICROSOFT_APP_TYPE: z.enum(APP_TYPES).default('MultiTenant'),
    TEAMS_ENABLED: z.enum(['true', 'false', '1', '0', '']).optional(),
    TEAMS_PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    TEAMS_HOST: z.string().min(1).optional(),
    TEAMS_SERVICE_URL: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    TEAMS_TENANT_ID: z.string().min(1).max(100).optional(),
  })
  .superRefine((env, ctx) => {
    if (!env.MICROSOFT_APP_ID) return;
    const certificate = env.MICROSOFT_APP_CERTIFICATE_THUMBPRINT || env.MICROSOFT_APP_CERTIFICATE_KEY_FILE;
    if (certificate && !(env.MICROSOFT_APP_CERTIFICATE_THUMBPRINT && env.MICROSOFT_APP_CERTIFICATE_KEY_FILE))
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_APP_CERTIFICATE_KEY_FILE'],
        message:
          'a certificate needs both MICROSOFT_APP_CERTIFICATE_THUMBPRINT and MICROSOFT_APP_CERTIFICATE_KEY_FILE',
      });
    if (env.MICROSOFT_APP_TYPE === 'UserAssignedMSI') {
      if (env.MICROSOFT_APP_PASSWORD)
        ctx.addIssue({
          code: 'custom',
          path: ['MICROSOFT_APP_PASSWORD'],
          message: 'must not be set for UserAssignedMSI',
        });
    } else if (!env.MICROSOFT_APP_PASSWORD && !certificate) {
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_APP_PASSWORD'],
        message: 'is required with MICROSOFT_APP_ID (or a certificate)',
      });
    }
    if (env.MICROSOFT_APP_TYPE !== 'MultiTenant' && !env.MICROSOFT_APP_TENANT_ID)
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_APP_TENANT_ID'],
        message: `is required for ${env.MICROSOFT_APP_TYPE}`,
      });
  });

/**
 * Teams settings from the environment, or `null` when Teams is not to be served (no app id and
 * `TEAMS_ENABLED` not true). Bad values throw `CONFIG_INVALID` naming the variable.
 */
export function readTeamsSettings(env: NodeJS.ProcessEnv = process.env): TeamsSettings | null {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TriageError(
      'CONFIG_INVALID',
      `Teams settings: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid environment'}`,
    );
  }
  const values = parsed.data;
  const enabled = values.TEAMS_ENABLED === 'true' || values.TEAMS_ENABLED === '1';
  if (!values.MICROSOFT_APP_ID && !enabled) return null;
  const appId = values.MICROSOFT_APP_ID ?? '';
  const botFrameworkAuth: Record<string, string> = {};
  if (appId) {
    botFrameworkAuth.MicrosoftAppId = appId;
    botFrameworkAuth.MicrosoftAppType = values.MICROSOFT_APP_TYPE;
    if (values.MICROSOFT_APP_PASSWORD) botFrameworkAuth.MicrosoftAppPassword = values.MICROSOFT_APP_PASSWORD;
    if (values.MICROSOFT_APP_TENANT_ID)
      botFrameworkAuth.MicrosoftAppTenantId = values.MICROSOFT_APP_TENANT_ID;
    if (values.MICROSOFT_APP_CERTIFICATE_THUMBPRINT && values.MICROSOFT_APP_CERTIFICATE_KEY_FILE) {
      botFrameworkAuth.CertificateThumbprint = values.MICROSOFT_APP_CERTIFICATE_THUMBPRINT;
      botFrameworkAuth.CertificatePrivateKey = readKey(values.MICROSOFT_APP_CERTIFICATE_KEY_FILE);
    }
  }
  const serviceUrl = values.TEAMS_SERVICE_URL ?? (appId ? PUBLIC_SERVICE_URL : undefined);
  const tenantId = values.TEAMS_TENANT_ID ?? values.MICROSOFT_APP_TENANT_ID;
  return {
    appId,
    botFrameworkAuth,
    port: values.TEAMS_PORT,
    host: values.TEAMS_HOST ?? (appId ? '0.0.0.0' : '127.0.0.1'),
    ...(serviceUrl && { serviceUrl }),
    ...(tenantId && { tenantId }),
  };
}

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
 * `settings` with the Bot Connector's signing keys read from `openIdMetadataUrl` instead of
 * login.botframework.com: a sovereign cloud, or a local document in tests.
 */
export function withOpenIdMetadata(settings: TeamsSettings, openIdMetadataUrl: string): TeamsSettings {
  const tenant = settings.botFrameworkAuth.MicrosoftAppTenantId ?? 'botframework.com';
  const botFrameworkAuth = {
    ...settings.botFrameworkAuth,
    ...PUBLIC_CLOUD,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToChannelFromBotLoginUrl: `https://login.microsoftonline.com/${tenant}`,
  };
  return { ...settings, botFrameworkAuth };
}

function readKey(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TriageError(
      'CONFIG_INVALID',
      `Teams settings: cannot read MICROSOFT_APP_CERTIFICATE_KEY_FILE ${path}`,
      {
        cause: error,
      },
    );
  }
}
