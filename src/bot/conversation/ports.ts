import type { Reply } from '../../report/reply.js';
import type { AttachedFile } from '../attachments/images.js';

/** One chat message, whatever surface it came from: what an adapter translates a platform event into. */
export interface Incoming {
  platform: 'console' | 'cli' | 'slack' | 'teams' | (string & {});
  /** Platform id of the message (used to recognise retried deliveries). */
  id: string;
  user: string;
  channel: string;
  thread?: string;
  text: string;
  /** Attached files (screenshots, .rdp files); the surface downloads them with its own credentials. */
  files?: AttachedFile[];
}

/**
 * The port every chat surface implements: post one message, then edit that same message.
 * `minUpdateIntervalMs` is the platform's edit budget; the core coalesces edits to it.
 */
export interface Surface {
  readonly minUpdateIntervalMs: number;
  post(reply: Reply): Promise<void>;
  update(reply: Reply): Promise<void>;
  /**
   * Where the posted message lives, as the surface needs it to edit that message from another
   * process (Slack `ts`; Teams conversation reference + activity id, as JSON). Ids only, no text.
   * Undefined before the first post. Redis keeps it so a surviving replica can tell the user.
   */
  readonly messageRef?: string | undefined;
}

/** Where a surface shows a message the bot starts itself (not an answer to a message it received). */
export interface ShowWhere {
  channel: string;
  /** Post in this thread (Slack `thread_ts`). */
  thread?: string;
  /** Edit this earlier message of the bot (`Surface.messageRef`) instead of posting. */
  messageRef?: string;
  /** Post a new message in the conversation of this earlier message (Teams needs its conversation reference). */
  near?: string;
}

/**
 * What a running surface offers for messages nobody asked for just now: an incident's helpdesk
 * post, a reporter told that it is resolved. Resolves to the shown message's `messageRef`.
 */
export type ShowMessage = (where: ShowWhere, reply: Reply) => Promise<string>;
