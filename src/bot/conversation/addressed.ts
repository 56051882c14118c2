import type { Logger } from 'pino';
import type { Watch, WatchedMessage } from '../watch/watched-channel.js';

/** Where a message was posted and how, as every surface can tell. */
export interface Addressing {
  platform: string;
  /** Posted where others read too (a channel, a group chat), not in a 1:1 chat with the bot. */
  shared: boolean;
  /** The bot was @mentioned. */
  mentioned: boolean;
  /** The channel's id as `watch.channels` names it, when posted in a channel (not a group chat). */
  channel?: string | undefined;
}

/**
 * Whether the bot answers a message: in a 1:1 chat always; in channels and group chats when
 * @mentioned, and in a watched channel also a post the unasked policy accepts (`message` is built
 * only then). A watched post the policy turns down is logged with the reason.
 */
export async function isAddressed(
  { platform, shared, mentioned, channel }: Addressing,
  watch: Watch | undefined,
  message: () => WatchedMessage,
  log: Logger,
): Promise<boolean> {
  if (!shared || mentioned) return true;
  if (!watch || !channel || !watch.watches(platform, channel)) return false;
  const decision = await watch.decide(message());
  if (!decision.answer) log.debug({ channel, reason: decision.code }, 'watched message not answered');
  return decision.answer;
}
