import type { webApi } from '@slack/bolt';
/**
 * A platform API call failed: Slack Web API `ok: false`, an HTTP error status, a rate limit, or a
 * network failure; a Bot Connector send or edit that threw. Serve counts these in
 * `rdp_triage_platform_api_errors_total{platform,method,reason}`.
 */
export type ApiErrorListener = (platform: 'slack' | 'teams', method: string, reason: string) => void;

/**
 * Metric labels must stay a small, fixed vocabulary: an API error code (`not_in_channel`), an HTTP
 * status (`http_503`), `ratelimited`, or a socket error code (`econnrefused`). Anything else —
 * free text, ids, URLs — becomes `other`, so an odd answer cannot blow up the series count.
 */
export function apiErrorReason(raw: unknown): string {
  if (typeof raw !== 'string') return 'other';
  const reason = raw.toLowerCase();
  return /^[a-z][a-z0-9_]{0,47}$/.test(reason) ? reason : 'other';
}

/**
 * The reason of a call that threw: an HTTP status the error carries (botbuilder's RestError), a
 * deadline, or the socket error code under it (`fetch failed` hides ECONNREFUSED in `cause`).
 */
export function thrownReason(error: unknown): string {
  if (!(error instanceof Error)) return 'network';
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status === 429 ? 'ratelimited' : `http_${status}`;
  if (error.name === 'TimeoutError') return 'timeout';
  if (error.name === 'AbortError') return 'aborted';
  const code = (error.cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? apiErrorReason(code) : 'network';
}

/**
 * Runs one HTTP call and reports it if it failed: a socket error or deadline (rethrown), a 429
 * (`ratelimited`), or another error status (`http_<status>`). The response goes back untouched.
 */
export async function reportFailedCall<R extends { ok: boolean; status: number }>(
  call: () => Promise<R>,
  report: (reason: string) => void,
): Promise<R> {
  let response: R;
  try {
    response = await call();
  } catch (error) {
    report(thrownReason(error));
    throw error;
  }
  if (response.status === 429) report('ratelimited');
  else if (!response.ok) report(`http_${response.status}`);
  return response;
}

/**
 * A `fetch` that reports failed calls of a plain HTTP API (Microsoft Graph, the Entra token
 * endpoint). `methodOf` names the call from its URL with a fixed label.
 */
export function countingHttpFetch(
  platform: 'slack' | 'teams',
  methodOf: (url: URL) => string,
  onError: ApiErrorListener,
  fetchFn: typeof globalThis.fetch = globalThis.fetch,
): typeof globalThis.fetch {
  return (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let method = 'other';
    try {
      method = methodOf(new URL(href));
    } catch {}
    return reportFailedCall(
      () => fetchFn(input, init),
      (reason) => onError(platform, method, reason),
    );
  };
}

type SlackFetch = webApi.FetchFunction;

/**
 * A `fetch` for Bolt's `clientOptions.fetch` that reports failed Web API calls. Bolt uses this one
 * function for every Web API call (our posts and edits, `auth.test`, Socket Mode's
 * `apps.connections.open`) and for `response_url` answers, so one wrapper sees them all. Each
 * failed attempt counts once: a 429 the client retries after Retry-After shows as `ratelimited`.
 */
export function countingSlackFetch(
  onError: ApiErrorListener,
  fetchFn: SlackFetch = globalThis.fetch,
): SlackFetch {
  return async (input, init) => {
    const method = slackMethodOf(input);
    const report = (reason: string) => onError('slack', method, reason);
    const response = await reportFailedCall(() => fetchFn(input, init), report);
    if (
      response.ok &&
      response instanceof Response &&
      response.headers.get('content-type')?.includes('json')
    ) {
      // Slack answers errors with HTTP 200 and `{ ok: false, error }`; read a copy, the client reads the body.
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { ok?: unknown; error?: unknown } | null;
      if (body?.ok === false) report(apiErrorReason(body.error));
    }
    return response;
  };
}

/** `chat.postMessage` from `…/api/chat.postMessage`; anything else Bolt fetches is a `response_url`. */
function slackMethodOf(input: string | URL): string {
  let path: string;
  try {
    path = new URL(input).pathname;
  } catch {
    return 'other';
  }
  const match = /\/api\/([a-zA-Z]+(?:\.[a-zA-Z]+){1,3})$/.exec(path);
  return match?.[1] ?? 'response_url';
}
