import type { webApi } from '@slack/bolt';
import type { ApiErrorListener } from '../api-errors.js';
import { apiErrorReason, reportFailedCall } from '../api-errors.js';

type Fetch = webApi.FetchFunction;

/**
 * A `fetch` for Bolt's `clientOptions.fetch` that reports failed Web API calls. Bolt uses this one
 * function for every Web API call (our posts and edits, `auth.test`, Socket Mode's
 * `apps.connections.open`) and for `response_url` answers, so one wrapper sees them all. Each
 * failed attempt counts once: a 429 the client retries after Retry-After shows as `ratelimited`.
 */
export function countingSlackFetch(onError: ApiErrorListener, fetchFn: Fetch = globalThis.fetch): Fetch {
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
