import type { webApi } from '@slack/bolt';
import type { Reply } from '../../../report/reply.js';
import type { EditBudget } from '../../conversation/edit-budget.js';
import type { Surface } from '../../conversation/ports.js';
import { renderSlack, type SlackRenderOptions } from '../../render/slack.js';
import type { SlackTarget } from './slack-incoming.js';

/**
 * `chat.update` is Tier 3 (50+ per minute per workspace) and the reference asks for at most one
 * edit per second per message (platform-limits.md, Slack); 1.2 s leaves room for a few triages
 * running at once. The conversation core coalesces edits to this and always sends the final one.
 */
export const SLACK_MIN_UPDATE_INTERVAL_MS = 1200;

export interface SlackSurfaceOptions {
  client: webApi.WebClient;
  target: SlackTarget;
  /** Edit this message instead of posting a new one ("Run probes again"). */
  existingTs?: string;
  render: SlackRenderOptions;
  minUpdateIntervalMs?: number;
  /** Workspace-wide budget: progress edits are skipped when it is spent, final edits always go. */
  editBudget?: EditBudget;
}

/** One triage's message in Slack: posted once, then edited in place. */
export function createSlackSurface({
  client,
  target,
  existingTs,
  render,
  minUpdateIntervalMs = SLACK_MIN_UPDATE_INTERVAL_MS,
  editBudget,
}: SlackSurfaceOptions): Surface & { readonly ts: string | undefined } {
  let ts = existingTs;
  // "Run probes again" re-sends what the report was made from, attachments' text included.
  const optionsFor = (reply: Reply): SlackRenderOptions =>
    reply.kind === 'report' && reply.requestText !== undefined
      ? { ...render, requestText: reply.requestText }
      : render;
  let postError: unknown;
  const edit = async (reply: Reply, optional: boolean) => {
    // The core sends its final edit even when the post failed; the post's error is the one to report.
    if (ts === undefined) throw postError ?? new Error('chat.update before chat.postMessage');
    if (optional) {
      if (editBudget && !editBudget.tryTake()) return;
    } else editBudget?.take();
    await client.chat.update({ channel: target.channel, ts, ...renderSlack(reply, optionsFor(reply)) });
  };
  return {
    minUpdateIntervalMs,
    get ts() {
      return ts;
    },
    get messageRef() {
      return ts;
    },
    async post(reply) {
      // "Run probes again": the first state replaces the old report, so it is never skipped.
      if (ts !== undefined) return edit(reply, false);
      const response = await client.chat
        .postMessage({
          channel: target.channel,
          ...(target.thread && { thread_ts: target.thread }),
          ...renderSlack(reply, optionsFor(reply)),
          // A host name in the reply must not unfurl into a preview of an internal page.
          unfurl_links: false,
          unfurl_media: false,
        })
        .catch((error: unknown) => {
          postError = error;
          throw error;
        });
      if (typeof response.ts !== 'string') throw new Error('chat.postMessage answered without ts');
      ts = response.ts;
    },
    // Progress edits are optional (skipped when the workspace budget is spent); the rest are not.
    update: (reply) => edit(reply, reply.kind === 'progress'),
  };
}
