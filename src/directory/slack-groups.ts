import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createCachedLookup } from '../access/cached-lookup.js';
import type { GroupLookup } from '../access/group-directory.js';
import { deadlineSignal } from '../deadline-signal.js';
import { TriageError } from '../errors.js';

export interface SlackGroupsOptions {
  botToken: string;
  /** Web API base ending in /api/ (default https://slack.com/api/; GovSlack, tests). */
  apiUrl?: string;
  logger: Logger;
  /** How long one workspace listing answers (default 5 min). */
  ttlMs?: number;
  /** After a failed listing, how long before the next try (default 30 s). */
  retryAfterMs?: number;
  /** Deadline of one usergroups.list call (default 5 s). */
  timeoutMs?: number;
  fetch?: webApi.FetchFunction;
  now?: () => number;
}

export const SLACK_GROUPS_TTL_MS = 5 * 60_000;
/** A listing larger than this is refused rather than parsed (a huge Enterprise Grid workspace). */
const MAX_BODY_CHARS = 32 * 1024 * 1024;

const listing = z.union([
  z.object({
    ok: z.literal(true),
    usergroups: z
      .array(
        z.looseObject({
          id: z.string().regex(/^S[A-Z0-9]+$/),
          users: z.array(z.string().max(64)).optional(),
        }),
      )
      .max(100_000),
  }),
  z.object({ ok: z.literal(false), error: z.string().max(200) }),
]);

/** What to tell the operator for the Web API errors usergroups.list is known to answer. */
const HINTS: Record<string, string> = {
  missing_scope: 'add the usergroups:read bot scope to the Slack app and reinstall it',
  not_allowed_token_type: 'SLACK_BOT_TOKEN must be the xoxb- bot token',
  plan_upgrade_required: 'user groups need a paid Slack plan; grant the role by users or channels instead',
  invalid_auth: 'SLACK_BOT_TOKEN was revoked',
  ratelimited: 'Slack rate-limited usergroups.list (Tier 2, about 20 calls a minute)',
};

/**
 * The Slack user groups (`S0…`) a user belongs to, for roles granted by group
 * (`access.roles[].groups`). One `usergroups.list?include_users=true` call (scope
 * `usergroups:read`) lists every enabled group of the workspace with its members; the answer is
 * kept for `ttlMs`, so the bot asks Slack at most once per TTL whoever writes. A failed call keeps
 * the last listing; with none, the look-up throws and the gate refuses group-only roles, telling
 * the user their membership could not be checked.
 */
export function createSlackGroups({
  botToken,
  apiUrl = 'https://slack.com/api/',
  logger,
  ttlMs = SLACK_GROUPS_TTL_MS,
  retryAfterMs = 30_000,
  timeoutMs = 5000,
  fetch = globalThis.fetch,
  now = Date.now,
}: SlackGroupsOptions): GroupLookup {
  const log = logger.child({ platform: 'slack', lookup: 'usergroups' });
  const workspace = createCachedLookup<'workspace', Map<string, string[]>>({
    load: () => listGroups({ botToken, apiUrl, fetch, signal: deadlineSignal(timeoutMs) }),
    ttlMs,
    retryAfterMs,
    maxEntries: 1,
    now,
    onError: (error, _key, stale) =>
      log.warn(
        { err: error, stale },
        stale
          ? 'Slack user groups could not be refreshed; using the previous listing'
          : 'Slack user groups could not be listed; roles granted by group are not granted until they can be',
      ),
  });
  return async (user) => (await workspace.get('workspace')).get(user) ?? [];
}

/** usergroups.list as user → group ids. Throws GROUP_LOOKUP_FAILED with what to do about it. */
async function listGroups({
  botToken,
  apiUrl,
  fetch,
  signal,
}: {
  botToken: string;
  apiUrl: string;
  fetch: webApi.FetchFunction;
  signal: AbortSignal;
}): Promise<Map<string, string[]>> {
  const fail = (why: string, cause?: unknown) =>
    new TriageError('GROUP_LOOKUP_FAILED', `Slack usergroups.list: ${why}`, { cause });
  let text: string;
  let status: number;
  try {
    const response = await fetch(new URL('usergroups.list', apiUrl), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${botToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ include_users: 'true' }).toString(),
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw fail(signal.aborted ? 'no answer before the deadline' : (error as Error).message, error);
  }
  if (status === 429) throw fail(HINTS.ratelimited as string);
  if (text.length > MAX_BODY_CHARS) throw fail('the listing is too large to read');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw fail(`HTTP ${status}, not a Web API answer`, error);
  }
  const parsed = listing.safeParse(body);
  if (!parsed.success) throw fail(`HTTP ${status}, unexpected answer`, parsed.error);
  if (!parsed.data.ok) {
    const hint = HINTS[parsed.data.error];
    throw fail(`${parsed.data.error}${hint ? ` — ${hint}` : ''}`);
  }
  const byUser = new Map<string, string[]>();
  for (const group of parsed.data.usergroups)
    for (const user of group.users ?? []) byUser.set(user, [...(byUser.get(user) ?? []), group.id]);
  return byUser;
}
