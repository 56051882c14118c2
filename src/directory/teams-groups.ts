import type { Logger } from 'pino';
import { z } from 'zod';
import { createCachedLookup } from '../access/cached-lookup.js';
import type { GroupLookup } from '../access/group-directory.js';
import type { TeamsSettings } from '../config/teams-env.js';
import { deadlineSignal } from '../deadline-signal.js';
import { TriageError } from '../errors.js';
import { createClientCredentialsToken, type TokenSource } from './graph-token.js';

/**
 * Where the Graph group look-up goes. Defaults are the public cloud; `MICROSOFT_GRAPH_URL` and
 * `MICROSOFT_TOKEN_URL` override them (national clouds; tests point them at a local server).
 */
export interface GraphGroupSettings {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  /** Graph base ending in `/v1.0/` (default `https://graph.microsoft.com/v1.0/`). */
  graphUrl: string;
  /** Token endpoint (default `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`). */
  tokenUrl: string;
}

export const TEAMS_GROUPS_TTL_MS = 5 * 60_000;
/** 999 is Graph's largest page for memberships; 20 pages = 19,980 groups, far past any real user. */
const PAGE_SIZE = 999;
const MAX_PAGES = 20;
/** Entra ID object ids are GUIDs; a Teams id without one (`29:…`, guests of other clouds) has no groups here. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const page = z.object({
  value: z.array(z.looseObject({ id: z.string().regex(OBJECT_ID) })).max(PAGE_SIZE),
  '@odata.nextLink': z.string().optional(),
});
const graphError = z.object({ error: z.looseObject({ code: z.string(), message: z.string().optional() }) });

/**
 * The Graph settings for group look-ups from the Teams settings and the environment: null in
 * Emulator mode (no app id: there is no directory to ask); a reason string when the bot's
 * credentials cannot get an app-only Graph token (certificate, managed identity, no tenant).
 */
export function readGraphGroupSettings(
  settings: TeamsSettings,
  env: NodeJS.ProcessEnv = process.env,
): GraphGroupSettings | string | null {
  if (settings.appId === '') return null;
  const auth = settings.botFrameworkAuth;
  const secret = auth.MicrosoftAppPassword;
  if (!secret)
    return 'Teams group look-ups need MICROSOFT_APP_PASSWORD (a client secret); certificate and managed-identity credentials are not supported for them yet';
  const tenantId = auth.MicrosoftAppTenantId;
  if (!tenantId)
    return 'Teams group look-ups need MICROSOFT_APP_TENANT_ID (the tenant whose Entra ID groups the roles name); a multi-tenant bot has no home tenant to ask';
  const graphUrl = env.MICROSOFT_GRAPH_URL || 'https://graph.microsoft.com/v1.0/';
  return {
    clientId: settings.appId,
    clientSecret: secret,
    tenantId,
    graphUrl: graphUrl.endsWith('/') ? graphUrl : `${graphUrl}/`,
    tokenUrl:
      env.MICROSOFT_TOKEN_URL ||
      `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
  };
}

export interface TeamsGroupsOptions {
  logger: Logger;
  /** How long one user's memberships answer (default 5 min). */
  ttlMs?: number;
  /** After a failed look-up, how long before that user's next try (default 30 s). */
  retryAfterMs?: number;
  /** Users whose memberships are kept at most (default 10,000). */
  maxUsers?: number;
  /** Deadline of one look-up: token plus every page (default 8 s). */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
}

/**
 * The Entra ID (AAD) groups a Teams user is in, directly or through nested groups, for roles
 * granted by group: `GET /users/{aadObjectId}/transitiveMemberOf/microsoft.graph.group?$select=id`
 * with an app-only token (application permission GroupMember.Read.All, admin-consented). Kept per
 * user for `ttlMs`; a failed look-up keeps that user's last answer, else it throws and the gate
 * refuses group-only roles saying the membership could not be checked.
 */
export function createTeamsGroups(
  graph: GraphGroupSettings | string,
  {
    logger,
    ttlMs = TEAMS_GROUPS_TTL_MS,
    retryAfterMs = 30_000,
    maxUsers = 10_000,
    timeoutMs = 8000,
    fetch = globalThis.fetch,
    now = Date.now,
  }: TeamsGroupsOptions,
): GroupLookup {
  const log = logger.child({ platform: 'teams', lookup: 'graph-groups' });
  if (typeof graph === 'string') {
    // Said once, when a role granted by group is first checked: a bot without group roles stays quiet.
    let told = false;
    return async () => {
      if (!told) log.warn(graph);
      told = true;
      throw new TriageError('GROUP_LOOKUP_FAILED', graph);
    };
  }
  const token = createClientCredentialsToken(
    {
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
      tokenUrl: graph.tokenUrl,
      scope: `${new URL(graph.graphUrl).origin}/.default`,
    },
    { fetch, now },
  );
  const users = createCachedLookup<string, string[]>({
    load: (user) => listGroups(user, { graphUrl: graph.graphUrl, token, fetch, timeoutMs, log }),
    ttlMs,
    retryAfterMs,
    maxEntries: maxUsers,
    now,
    onError: (error, user, stale) =>
      log.warn(
        { err: error, user, stale },
        stale
          ? 'Graph group memberships could not be refreshed; using the previous answer'
          : 'Graph group memberships could not be read; roles granted by group are not granted until they can be',
      ),
  });
  return async (user) => (OBJECT_ID.test(user) ? users.get(user.toLowerCase()) : []);
}

async function listGroups(
  user: string,
  {
    graphUrl,
    token,
    fetch,
    timeoutMs,
    log,
  }: { graphUrl: string; token: TokenSource; fetch: typeof globalThis.fetch; timeoutMs: number; log: Logger },
): Promise<string[]> {
  const signal = deadlineSignal(timeoutMs);
  const fail = (why: string, cause?: unknown) =>
    new TriageError('GROUP_LOOKUP_FAILED', `Microsoft Graph group look-up: ${why}`, { cause });
  const origin = new URL(graphUrl).origin;
  const first = new URL(
    `users/${encodeURIComponent(user)}/transitiveMemberOf/microsoft.graph.group`,
    graphUrl,
  );
  // The OData cast is an advanced directory query: ConsistencyLevel eventual with $count (Graph docs).
  first.search = `?$select=id&$top=${PAGE_SIZE}&$count=true`;
  const groups: string[] = [];
  let next: string | undefined = first.toString();
  for (let pages = 0; next !== undefined; pages += 1) {
    if (pages === MAX_PAGES) {
      log.warn(
        { user, groups: groups.length },
        'more group pages than read; roles use the groups read so far',
      );
      break;
    }
    // The bearer token goes to the configured Graph host only, whatever a nextLink says.
    if (new URL(next).origin !== origin) throw fail(`a nextLink left ${origin}`);
    let status: number;
    let body: unknown;
    try {
      const response = await fetch(next, {
        headers: { authorization: `Bearer ${await token(signal)}`, consistencylevel: 'eventual' },
        signal,
      });
      status = response.status;
      body = await response.json().catch(() => undefined);
    } catch (error) {
      if (error instanceof TriageError) throw error;
      throw fail(signal.aborted ? `no answer within ${timeoutMs} ms` : (error as Error).message, error);
    }
    // A user deleted from the directory (or from another tenant) is in no group here.
    if (status === 404) return [];
    if (status !== 200) {
      const error = graphError.safeParse(body);
      const code = error.success ? error.data.error.code : 'no error code';
      const hint =
        status === 401 || status === 403
          ? ' — grant the bot app the GroupMember.Read.All application permission with admin consent'
          : '';
      throw fail(`HTTP ${status} ${code}${hint}`);
    }
    const parsed = page.safeParse(body);
    if (!parsed.success) throw fail('unexpected answer', parsed.error);
    for (const group of parsed.data.value) groups.push(group.id);
    next = parsed.data['@odata.nextLink'];
  }
  return groups;
}
