import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { listenJson } from '../../../src/bot/adapters/json-endpoint.js';
import { type CoreOption, coreFrom } from '../../../src/bot/conversation/chat-core.js';
import type { Incoming, Surface } from '../../../src/bot/conversation/ports.js';
import { postedOnce } from '../../../src/bot/conversation/posted-once.js';
import { renderText } from '../../../src/bot/render/text.js';
import type { Reply } from '../../../src/report/reply.js';

/**
 * A third chat surface in one file, as docs/adding-a-surface.md describes: Mattermost's outgoing
 * webhook in (a JSON POST per message with the trigger word), its REST API out (POST
 * /api/v4/posts, then PUT /api/v4/posts/{id}/patch for each edit). Everything else — dedupe, the
 * running-triage limit, the report store, drain — is the core's, used unchanged.
 * https://developers.mattermost.com/integrate/webhooks/outgoing/ · https://api.mattermost.com/
 */
export type MattermostOptions = CoreOption & {
  /** The outgoing webhook's token: requests without it are refused. */
  webhookToken: string;
  /** Mattermost server base, e.g. `https://chat.example.com/`, and a bot account's access token. */
  apiUrl: string;
  botToken: string;
  host: string;
  port: number;
  logger: Logger;
};

/** The fields of an outgoing-webhook body the bot reads. */
interface OutgoingWebhook {
  token?: string;
  post_id?: string;
  channel_id?: string;
  user_id?: string;
  text?: string;
  trigger_word?: string;
}

export async function startMattermost(options: MattermostOptions) {
  const log = options.logger.child({ platform: 'mattermost' });
  const core = coreFrom(options, log);
  const expected = Buffer.from(options.webhookToken);
  const endpoint = await listenJson({
    path: '/mattermost/outgoing',
    host: options.host,
    port: options.port,
    maxBodyBytes: 64 * 1024,
    log,
    listenHint: ['Mattermost', 'set another port'],
    async handle(body) {
      const hook = body as OutgoingWebhook;
      const given = Buffer.from(hook.token ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { status: 401, body: { error: 'unauthorized' } };
      const incoming = translate(hook);
      if (!incoming) return { status: 400, body: { error: 'not a message' } };
      // Answer the webhook at once (Mattermost waits a few seconds); the reply is posted through the API.
      if (await core.firstDelivery(`mattermost:${incoming.id}`))
        void core.answer(incoming, mattermostSurface(options, incoming));
      return { status: 200, body: {} };
    },
  });
  return {
    url: endpoint.url,
    idle: () => core.idle(),
    async stop() {
      await endpoint.stop();
      await core.drain();
    },
  };
}

function translate(hook: OutgoingWebhook): Incoming | null {
  if (!hook.post_id || !hook.channel_id || !hook.user_id || hook.text === undefined) return null;
  const text = hook.trigger_word ? hook.text.replace(hook.trigger_word, '').trim() : hook.text;
  return {
    platform: 'mattermost',
    id: hook.post_id,
    user: hook.user_id,
    channel: hook.channel_id,
    thread: hook.post_id,
    text,
  };
}

function mattermostSurface({ apiUrl, botToken }: MattermostOptions, incoming: Incoming): Surface {
  const call = async (method: 'POST' | 'PUT', path: string, body: unknown) => {
    const response = await fetch(new URL(path, apiUrl), {
      method,
      headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`Mattermost ${method} ${path}: HTTP ${response.status}`);
    return (await response.json()) as { id?: string };
  };
  // The core's post-once-then-edit surface: the first reply is a new post, every later one its patch.
  return postedOnce({
    minUpdateIntervalMs: 1000,
    render: (reply: Reply) => renderText(reply, { color: false }),
    async send(message) {
      const posted = await call('POST', 'api/v4/posts', {
        channel_id: incoming.channel,
        root_id: incoming.thread,
        message,
      });
      if (!posted.id) throw new Error('Mattermost answered the post without an id');
      return posted.id;
    },
    edit: (id, message) => call('PUT', `api/v4/posts/${id}/patch`, { message }),
  });
}
