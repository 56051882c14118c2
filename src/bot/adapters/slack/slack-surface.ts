import type { webApi } from '@slack/bolt';
import { SLACK_MIN_UPDATE_INTERVAL_MS } from '../../../config/slack-env.js';
import type { Reply } from '../../../report/reply.js';
import type { ShowMessage } from '../../conversation/ports.js';
import { postedOnce } from '../../conversation/posted-once.js';
import type { SlackTarget } from '../../incoming/slack.js';
import { renderSlack, type SlackRenderOptions } from '../../render/slack.js';

/** One triage's message in Slack: posted once (or, for "Run probes again", `existingTs`), then edited in place. */
export function createSlackSurface(
  client: webApi.WebClient,
  { channel, thread }: SlackTarget,
  {
    existingTs,
    render,
    minUpdateIntervalMs = SLACK_MIN_UPDATE_INTERVAL_MS,
  }: {
    existingTs?: string | undefined;
    render: SlackRenderOptions;
    minUpdateIntervalMs?: number | undefined;
  },
) {
  // "Run probes again" re-sends what the report was made from, attachments' text included.
  const message = (reply: Reply) =>
    renderSlack(
      reply,
      reply.kind === 'report' && reply.requestText ? { ...render, requestText: reply.requestText } : render,
    );
  return postedOnce({
    minUpdateIntervalMs,
    existing: existingTs,
    render: message,
    edit: (ts, rendered) => client.chat.update({ channel, ts, ...rendered }),
    async send(rendered) {
      // A host name in the reply must not unfurl into a preview of an internal page.
      const posted = await client.chat.postMessage({
        channel,
        ...(thread && { thread_ts: thread }),
        ...rendered,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (typeof posted.ts !== 'string') throw new Error('chat.postMessage answered without ts');
      return posted.ts;
    },
  });
}

/**
 * Shows a message nobody asked for just now (an incident's helpdesk post, a reporter told it is
 * resolved) through the same surface: an edit of `messageRef`, or a post (in `thread`). Resolves
 * to the message's `ts`.
 */
export function showInSlack(client: webApi.WebClient): ShowMessage {
  return async ({ channel, thread, messageRef }, reply) => {
    const target = { channel, ...(thread && { thread }) };
    const surface = createSlackSurface(client, target, { existingTs: messageRef, render: {} });
    await surface.post(reply);
    return surface.messageRef ?? '';
  };
}
