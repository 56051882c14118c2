import type { webApi } from '@slack/bolt';
import type { Reply } from '../../../report/reply.js';
import type { Surface } from '../../conversation/ports.js';
import { renderSlack, type SlackRenderOptions } from '../../render/slack.js';
import type { SlackTarget } from './slack-incoming.js';

/**
 * `chat.update` is Tier 3 (50+ per minute per workspace) and the reference asks for at most one
 * edit per second per message (platform-limits.md, Slack); 1.2 s leaves room for a few triages
 * running at once. The conversation core coalesces edits to this and always sends the final one.
 */
export const SLACK_MIN_UPDATE_INTERVAL_MS = 1200;

/** One triage's message in Slack: posted once (or, for "Run probes again", `existingTs`), then edited in place. */
export function createSlackSurface(
  client: webApi.WebClient,
  target: SlackTarget,
  {
    existingTs,
    render,
    minUpdateIntervalMs = SLACK_MIN_UPDATE_INTERVAL_MS,
  }: {
    existingTs?: string | undefined;
    render: SlackRenderOptions;
    minUpdateIntervalMs?: number | undefined;
  },
): Surface & { readonly ts: string | undefined } {
  let ts = existingTs;
  // "Run probes again" re-sends what the report was made from, attachments' text included.
  const message = (reply: Reply) =>
    renderSlack(
      reply,
      reply.kind === 'report' && reply.requestText ? { ...render, requestText: reply.requestText } : render,
    );
  const update = async (reply: Reply) => {
    if (ts === undefined) throw new Error('chat.update before chat.postMessage');
    await client.chat.update({ channel: target.channel, ts, ...message(reply) });
  };
  return {
    minUpdateIntervalMs,
    get ts() {
      return ts;
    },
    get messageRef() {
      return ts;
    },
    update,
    async post(reply) {
      if (ts !== undefined) return update(reply);
      const thread = target.thread && { thread_ts: target.thread };
      // A host name in the reply must not unfurl into a preview of an internal page.
      const posted = await client.chat.postMessage({
        channel: target.channel,
        ...thread,
        ...message(reply),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (typeof posted.ts !== 'string') throw new Error('chat.postMessage answered without ts');
      ts = posted.ts;
    },
  };
}
