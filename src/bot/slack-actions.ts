import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Report } from '../report/report.js';
import type { FeedbackStore, FeedbackVote } from '../store/feedback-store.js';
import { ACTION_IDS, renderSlack, type SlackRenderOptions } from './render/slack.js';
import type { Translated } from './slack-incoming.js';

/** A posted report, kept so buttons can re-render it (votes, all fixes) without asking Slack. */
export interface CachedReport {
  report: Report;
  render: SlackRenderOptions;
  votes: Record<string, { user: string; helped: boolean }>;
  /** The reply's note (what a screenshot said), kept across re-renders. */
  note?: string;
}

export interface ReportCache {
  get(channel: string, ts: string): CachedReport | undefined;
  set(channel: string, ts: string, entry: CachedReport): void;
}

/** The most recent `size` reports; older messages fall back to a short notice. */
export function createReportCache(size: number): ReportCache {
  const entries = new Map<string, CachedReport>();
  return {
    get: (channel, ts) => entries.get(`${channel}:${ts}`),
    set(channel, ts, entry) {
      const key = `${channel}:${ts}`;
      entries.delete(key);
      entries.set(key, entry);
      for (const oldest of entries.keys()) {
        if (entries.size <= size) break;
        entries.delete(oldest);
      }
    },
  };
}

export type Rerun = (
  translated: Translated,
  client: webApi.WebClient,
  options: { existingTs: string; requestedBy: string; respond: RespondFn },
) => void;

export interface ReportActionDeps {
  reports: ReportCache;
  feedback: FeedbackStore;
  onVote: (vote: FeedbackVote) => Promise<void> | void;
  rerun: Rerun;
  isRunning: (channel: string, ts: string) => boolean;
  log: Logger;
  now: () => number;
}

const voteValue = z.object({ fix: z.string().min(1).max(200), codes: z.array(z.string().max(40)).max(20) });

const EXPIRED_TEXT =
  'I no longer have this report in memory (the bot restarted or it is old). Press "Run probes again" for a fresh one.';

/**
 * The report's buttons: votes per fix (recorded, shown in the message), "All fixes" (expands in
 * place), "Run probes again" (re-runs in the same message). Each acks first (Bolt answers an
 * un-acked action 404 after ~3 s), then works.
 */
export function registerReportActions(
  app: App,
  { reports, feedback, onVote, rerun, isRunning, log, now }: ReportActionDeps,
): void {
  for (const helped of [true, false]) {
    app.action<BlockAction<ButtonAction>>(
      { type: 'block_actions', action_id: helped ? ACTION_IDS.helped : ACTION_IDS.notHelped },
      async ({ ack, body, action, client, respond }) => {
        await ack();
        const parsed = voteValue.safeParse(parseJson(action.value));
        const channel = body.channel?.id;
        const ts = body.message?.ts;
        if (!parsed.success || !channel || !ts) return;
        const vote: FeedbackVote = {
          triageId: `slack:${channel}:${ts}`,
          fixId: parsed.data.fix,
          codes: parsed.data.codes,
          helped,
          user: body.user.id,
          platform: 'slack',
          at: new Date(now()).toISOString(),
        };
        await feedback.record(vote);
        await onVote(vote);
        log.info({ triageId: vote.triageId, fixId: vote.fixId, helped }, 'feedback recorded');
        const cached = reports.get(channel, ts);
        if (!cached) {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: 'Thanks — your vote is recorded.',
          });
          return;
        }
        cached.votes[vote.fixId] = { user: vote.user, helped };
        await client.chat.update({ channel, ts, ...renderCached(cached) });
      },
    );
  }

  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: ACTION_IDS.showAll },
    async ({ ack, body, client, respond }) => {
      await ack();
      const channel = body.channel?.id;
      const ts = body.message?.ts;
      const cached = channel && ts ? reports.get(channel, ts) : undefined;
      if (!channel || !ts || !cached) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: EXPIRED_TEXT });
        return;
      }
      cached.render = { ...cached.render, expandAll: true };
      await client.chat.update({ channel, ts, ...renderCached(cached) });
    },
  );

  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: ACTION_IDS.rerun },
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const channel = body.channel?.id;
      const ts = body.message?.ts;
      const text = action.value ?? '';
      if (!channel || !ts || text.trim() === '') return;
      if (isRunning(channel, ts)) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'The probes are already running.',
        });
        return;
      }
      const thread = body.message?.thread_ts;
      const incoming = {
        platform: 'slack' as const,
        id: `${channel}:${ts}:rerun:${now()}`,
        user: body.user.id,
        channel,
        text,
        ...(thread && { thread }),
      };
      rerun({ incoming, target: { channel, ...(thread && { thread }) } }, client, {
        existingTs: ts,
        requestedBy: body.user.id,
        respond,
      });
    },
  );
}

function renderCached(cached: CachedReport) {
  return renderSlack(
    { kind: 'report', report: cached.report, ...(cached.note !== undefined && { note: cached.note }) },
    { ...cached.render, votes: cached.votes },
  );
}

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
