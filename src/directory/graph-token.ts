import { z } from 'zod';
import { TriageError } from '../errors.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Microsoft identity platform token endpoint, `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`. */
  tokenUrl: string;
  /** `<resource>/.default`, e.g. `https://graph.microsoft.com/.default`. */
  scope: string;
}

/** An app-only access token, fetched again shortly before it expires. */
export type TokenSource = (signal: AbortSignal) => Promise<string>;

/** Renew this long before `expires_in` runs out, so a token never expires mid-request. */
const RENEW_BEFORE_MS = 5 * 60_000;

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce
    .number()
    .int()
    .positive()
    .max(86_400 * 2),
});
const errorAnswer = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/**
 * OAuth 2.0 client credentials grant (Microsoft identity platform): a form POST of client id,
 * secret, scope and `grant_type=client_credentials` answered by `{ access_token, expires_in }`.
 * One request at a time; the token is reused until 5 minutes before it expires.
 */
export function createClientCredentialsToken(
  credentials: ClientCredentials,
  { fetch = globalThis.fetch, now = Date.now }: { fetch?: typeof globalThis.fetch; now?: () => number } = {},
): TokenSource {
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return (signal) => {
    if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
    pending ??= requestToken(credentials, fetch, signal)
      .then(({ token, expiresInMs }) => {
        cached = { token, renewAt: now() + Math.max(0, expiresInMs - RENEW_BEFORE_MS) };
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

async function requestToken(
  { clientId, clientSecret, tokenUrl, scope }: ClientCredentials,
  fetch: typeof globalThis.fetch,
  signal: AbortSignal,
): Promise<{ token: string; expiresInMs: number }> {
  const fail = (why: string, cause?: unknown) =>
    new TriageError('GROUP_LOOKUP_FAILED', `Microsoft token endpoint: ${why}`, { cause });
  let status: number;
  let body: unknown;
  try {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        scope,
        grant_type: 'client_credentials',
      }).toString(),
      signal,
    });
    status = response.status;
    body = await response.json().catch(() => undefined);
  } catch (error) {
    throw fail(signal.aborted ? 'no answer before the deadline' : (error as Error).message, error);
  }
  const token = tokenAnswer.safeParse(body);
  if (status === 200 && token.success)
    return { token: token.data.access_token, expiresInMs: token.data.expires_in * 1000 };
  const refused = errorAnswer.safeParse(body);
  // AADSTS descriptions name the problem (wrong secret, unknown tenant) and carry no secret.
  if (refused.success)
    throw fail(
      `HTTP ${status} ${refused.data.error}${refused.data.error_description ? `: ${refused.data.error_description.split(/\r?\n/)[0]}` : ''}`,
    );
  throw fail(`HTTP ${status}, no access_token in the answer`);
}
