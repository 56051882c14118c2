import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { deadlineSignal } from '../deadline-signal.js';
import type { Report } from '../report/report.js';
import type { Understanding } from '../report/understanding.js';
import type { FeedbackStore, FeedbackVote } from '../store/feedback-store.js';
import type { AttachedFile, ScreenshotReading } from './images.js';
import { plainText, type SlackMessageLike, type Translated } from './slack-incoming.js';
import { decideUnasked } from './watch-policy.js';

/**
 * Watched Slack channels (issue 12): every new top-level message is read (`message.channels`,
 * `message.groups`), and an RDP failure the bot is sure of is answered in its thread, unasked,
 * marked 👀 while probing and ✅ when done. "wrong" in the thread or 👎 on the answer is
 * recorded as feedback against the fix ranked first, like the "Didn't help" button.
 */
export interface SlackWatcher {
  watches(channel: string): boolean;
  onMessage(event: WatchedMessage, context: WatchContext): Promise<void>;
  onReaction(event: {
    reaction: string;
    user: string;
    item: { type: string; channel?: string; ts?: string };
  }): Promise<void>;
}

export interface WatchedMessage extends SlackMessageLike {
  files?: Array<Record<string, unknown>>;
}

export interface WatchContext {
  client: webApi.WebClient;
  botUserId: string | undefined;
  /** Runs the triage in the message's thread; resolves when the final edit is posted. */
  answer: (translated: Translated) => Promise<{ report: Report | null; replyTs?: string }>;
  /** The message's attachments (screenshots), downloadable with the bot's token. */
  files: AttachedFile[];
}

export interface SlackWatcherOptions {
  channels: readonly string[];
  minConfidence: number;
  understand: (text: string) => Understanding;
  readImages?: (files: AttachedFile[], signal: AbortSignal) => Promise<ScreenshotReading>;
  feedback: FeedbackStore;
  onVote?: (vote: FeedbackVote) => Promise<void> | void;
  log: Logger;
  now?: () => number;
}

/** Answers remembered for feedback; older ones simply take no "wrong" votes. */
const REMEMBERED_ANSWERS = 1000;
const SCREENSHOT_DEADLINE_MS = 30_000;
const WRONG = /^\s*(?:wrong|that'?s wrong|not right|incorrect|nope|👎|:-1:|:thumbsdown:)(?:\W|$)/i;
const THUMBS_DOWN = new Set(['-1', 'thumbsdown']);

export function createSlackWatcher({
  channels,
  minConfidence,
  understand,
  readImages,
  feedback,
  onVote = () => {},
  log,
  now = Date.now,
}: SlackWatcherOptions): SlackWatcher {
  const watched = new Set(channels);
  /** `channel:thread ts` and `channel:answer ts` → the answer's report. */
  const answers = new Map<string, { report: Report; triageId: string }>();
  const remember = (key: string, value: { report: Report; triageId: string }) => {
    answers.set(key, value);
    if (answers.size > REMEMBERED_ANSWERS * 2) answers.delete(answers.keys().next().value as string);
  };

  const vote = async (key: string, user: string) => {
    const answered = answers.get(key);
    const fix = answered?.report.fixes[0];
    if (!answered || !fix) return;
    const recorded: FeedbackVote = {
      triageId: answered.triageId,
      fixId: fix.id,
      codes: answered.report.understanding.codes.map((code) => code.value),
      helped: false,
      user,
      platform: 'slack',
      at: new Date(now()).toISOString(),
    };
    await feedback.record(recorded);
    await onVote(recorded);
    log.info({ triageId: recorded.triageId, fixId: fix.id }, 'watched-channel feedback recorded');
  };

  return {
    watches: (channel) => watched.has(channel),

    async onMessage(event, { client, botUserId, answer, files }) {
      if (!isPerson(event, botUserId)) return;
      const inThread = event.thread_ts !== undefined && event.thread_ts !== event.ts;
      if (inThread) {
        if (WRONG.test(plainText(event.text ?? '')))
          await vote(`${event.channel}:${event.thread_ts}`, event.user ?? 'unknown');
        return;
      }
      let text = plainText(event.text ?? '');
      if (files.length > 0 && readImages) {
        const reading = await readImages(files, deadlineSignal(SCREENSHOT_DEADLINE_MS));
        if ('text' in reading) text = `${text}\n${reading.text}`;
      }
      const understanding = understand(text);
      const decision = decideUnasked(
        understanding,
        { topLevel: true, answeredByOthers: false },
        minConfidence,
      );
      if (!decision.answer) {
        log.debug(
          { channel: event.channel, ts: event.ts, reason: decision.code },
          'watched message not answered',
        );
        return;
      }
      if (await answeredByOthers(client, event, botUserId, log)) return;
      const where = { channel: event.channel, timestamp: event.ts };
      await client.reactions.add({ ...where, name: 'eyes' }).catch(() => {});
      const translated: Translated = {
        incoming: {
          platform: 'slack',
          id: `${event.channel}:${event.ts}`,
          user: event.user ?? 'unknown',
          channel: event.channel,
          text: plainText(event.text ?? ''),
          ...(files.length > 0 && { files }),
        },
        target: { channel: event.channel, thread: event.ts },
      };
      const { report, replyTs } = await answer(translated);
      await client.reactions.remove({ ...where, name: 'eyes' }).catch(() => {});
      await client.reactions.add({ ...where, name: 'white_check_mark' }).catch(() => {});
      if (report) {
        const entry = { report, triageId: translated.incoming.id };
        remember(`${event.channel}:${event.ts}`, entry);
        if (replyTs) remember(`${event.channel}:${replyTs}`, entry);
      }
    },

    async onReaction({ reaction, user, item }) {
      if (item.type !== 'message' || !item.channel || !item.ts) return;
      if (!watched.has(item.channel) || !THUMBS_DOWN.has(reaction.replace(/::skin-tone-\d$/, ''))) return;
      await vote(`${item.channel}:${item.ts}`, user);
    },
  };
}

/** A person's own new message: no bot, no edit, no join; a screenshot post (file_share) counts. */
function isPerson(event: WatchedMessage, botUserId: string | undefined): boolean {
  if (event.subtype !== undefined && event.subtype !== 'file_share' && event.subtype !== 'thread_broadcast')
    return false;
  if (event.bot_id !== undefined || event.edited !== undefined) return false;
  return event.user !== undefined && event.user !== botUserId;
}

/**
 * Someone already answered in the thread (a redelivered or late event): the bot stays out. A
 * lookup failure counts as "not answered" — a new top-level message has no replies yet.
 */
async function answeredByOthers(
  client: webApi.WebClient,
  event: WatchedMessage,
  botUserId: string | undefined,
  log: Logger,
): Promise<boolean> {
  try {
    const thread = await client.conversations.replies({ channel: event.channel, ts: event.ts, limit: 50 });
    return (thread.messages ?? []).some(
      (message) => message.ts !== event.ts && message.user !== event.user && message.user !== botUserId,
    );
  } catch (error) {
    log.warn({ err: error, channel: event.channel }, 'conversations.replies failed; answering');
    return false;
  }
}
