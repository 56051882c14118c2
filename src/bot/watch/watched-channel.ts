import type { Logger } from 'pino';
import { deadlineSignal } from '../../deadline-signal.js';
import type { Understanding } from '../../report/understanding.js';
import type { AttachedFile, ScreenshotReading } from '../attachments/images.js';
import type { AnswerOptions, ChatCore } from '../conversation/chat-core.js';
import type { Incoming, Surface } from '../conversation/ports.js';
import { decideUnasked, type WatchDecision } from './policy.js';

/**
 * Watched helpdesk channels (issue 12), the same on every platform: a new top-level message is
 * read (with its screenshots), the unasked policy decides (src/bot/watch/policy.ts), and an RDP
 * problem the bot is sure of is answered in its thread. "wrong" in that thread or 👎 on the
 * answer is recorded against the fix ranked first, like the "Didn't help" button.
 */
export interface WatchDeps {
  /** Watched channels per platform (config `watch.channels`). */
  channels: readonly { platform: string; id: string }[];
  minConfidence: number;
  understand: (text: string) => Understanding;
  /** Reads screenshots; the bot's reader reads each file once, so answering does not read it again. */
  readImages?: (files: AttachedFile[], signal: AbortSignal) => Promise<ScreenshotReading>;
  core: ChatCore;
  log: Logger;
}

/** A person's message in a watched channel, as the adapter translated it. */
export interface WatchedMessage {
  incoming: Incoming;
  /** The message's own id in its channel (Slack `ts`), which replies in its thread name. */
  ts: string;
  /** A new top-level post, not a reply inside a thread. */
  topLevel: boolean;
}

/** What the platform can do around an unasked answer; each is optional. */
export interface WatchHooks {
  /** Where the answer goes (the message's thread). */
  surface: Surface;
  /** How the core answers there (the store key once posted, the platform's edit budget). */
  answer?: AnswerOptions;
  /**
   * Who replied in the message's thread, the bot's own replies left out: someone other than the
   * poster already answered (a late event), so the bot stays out. A failed look-up is no one.
   */
  threadRepliers?: () => Promise<readonly (string | undefined)[]>;
  /** Adds or removes a reaction on the user's message (Slack): 👀 while probing, ✅ once answered. */
  react?: (name: string, on: boolean) => Promise<void>;
}

export interface Watch {
  watches(platform: string, channel: string): boolean;
  /** The policy's decision on one message, its screenshots read first. */
  decide(message: WatchedMessage): Promise<WatchDecision>;
  /** Decides, and when the answer is yes answers in the thread; a thread reply may be a "wrong" vote. */
  handle(message: WatchedMessage, hooks: WatchHooks): Promise<WatchDecision>;
  /** A reaction on a watched message or on the bot's answer: 👎 is a vote against the first fix. */
  onReaction(reaction: {
    platform: string;
    channel: string;
    ts: string;
    name: string;
    user: string;
  }): Promise<void>;
}

const SCREENSHOT_DEADLINE_MS = 30_000;
const WRONG = /^\s*(?:wrong|that'?s wrong|not right|incorrect|nope|👎|:-1:|:thumbsdown:)(?:\W|$)/i;
const THUMBS_DOWN = new Set(['-1', 'thumbsdown']);

const answerKey = (platform: string, channel: string, ts: string) => `watch:${platform}:${channel}:${ts}`;

export function createWatch({
  channels,
  minConfidence,
  understand,
  readImages,
  core,
  log,
}: WatchDeps): Watch {
  const watched = new Set(channels.map(({ platform, id }) => `${platform}:${id}`));

  const voteWrong = async (key: string, user: string, platform: string) => {
    if (!core.reports.get(key)) return;
    await core.vote({ key, helped: false, user, platform });
  };

  const decide = async ({ incoming, topLevel }: WatchedMessage): Promise<WatchDecision> => {
    let text = incoming.text;
    if (topLevel && incoming.files && incoming.files.length > 0 && readImages) {
      const reading = await readImages(incoming.files, deadlineSignal(SCREENSHOT_DEADLINE_MS));
      if ('text' in reading) text = `${text}\n${reading.text}`;
    }
    return decideUnasked(understand(text), { topLevel, answeredByOthers: false }, minConfidence);
  };

  return {
    watches: (platform, channel) => watched.has(`${platform}:${channel}`),
    decide,

    async handle(message, { surface, answer = {}, threadRepliers, react = async () => {} }) {
      const { incoming, ts } = message;
      const { platform, channel } = incoming;
      if (!message.topLevel) {
        if (incoming.thread !== undefined && WRONG.test(incoming.text))
          await voteWrong(answerKey(platform, channel, incoming.thread), incoming.user, platform);
        return { answer: false, code: 'thread-reply', reason: 'a reply inside a thread' };
      }
      const decision = await decide(message);
      if (!decision.answer) {
        log.debug({ channel, id: incoming.id, reason: decision.code }, 'watched message not answered');
        return decision;
      }
      const repliers = (await threadRepliers?.().catch(() => [])) ?? [];
      if (repliers.some((user) => user !== incoming.user))
        return { answer: false, code: 'already-answered', reason: 'someone already answered it' };
      await react('eyes', true);
      const { report } = await core.answer(incoming, surface, answer);
      await react('eyes', false);
      await react('white_check_mark', true);
      if (report) {
        // The question and the answer both take "wrong" / 👎, recorded under the question's id.
        const entry = { report, rerunText: incoming.text, triageId: incoming.id, votes: {} };
        core.reports.remember(answerKey(platform, channel, ts), entry);
        const answerTs = surface.messageRef;
        if (answerTs !== undefined) core.reports.remember(answerKey(platform, channel, answerTs), entry);
      }
      return decision;
    },

    async onReaction({ platform, channel, ts, name, user }) {
      if (!watched.has(`${platform}:${channel}`) || !THUMBS_DOWN.has(name.replace(/::skin-tone-\d$/, '')))
        return;
      await voteWrong(answerKey(platform, channel, ts), user, platform);
    },
  };
}
