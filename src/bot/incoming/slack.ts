import type { AttachedFile } from '../attachments/images.js';
import type { FilesOf } from '../attachments/slack-files.js';
import type { Incoming } from '../conversation/ports.js';
import { plainText, slackCommandAck } from '../render/slack.js';

// Slack's payloads (Events API, slash commands, shortcuts) read into the core's `Incoming`: pure
// functions of the JSON Slack sends, no Bolt and no I/O, so they are tested without a workspace.
// The adapter (src/bot/adapters/slack) wires Bolt's listeners to them.

/** Where an answer goes: a channel, and the thread inside it when there is one. */
export interface SlackTarget {
  channel: string;
  thread?: string;
}

/** A Slack message event or payload, reduced to the fields the bot reads. */
export interface SlackMessageLike {
  channel: string;
  ts: string;
  user?: string;
  text?: string;
  subtype?: string;
  bot_id?: string;
  thread_ts?: string;
  channel_type?: string;
  edited?: unknown;
  files?: unknown;
}

export interface Translated {
  incoming: Incoming;
  target: SlackTarget;
}

/**
 * A direct message to the bot, or null for what it must not answer: other bots, its own posts,
 * edits, deletions, joins and every other subtype (Bolt's ignoreSelf lets `message_changed` through).
 * A top-level DM is answered in the DM; a reply inside a DM thread stays in that thread.
 */
export function fromDirectMessage(event: unknown, botUserId?: string, filesOf?: FilesOf): Translated | null {
  const message = event as SlackMessageLike;
  if (message.channel_type !== 'im' || !isPersonMessage(message, botUserId)) return null;
  const target = { channel: message.channel, ...(message.thread_ts && { thread: message.thread_ts }) };
  return { incoming: incoming(message, plainText(message.text ?? ''), filesOf?.(message)), target };
}

/** A mention in a channel, answered in the thread of the message (or the thread it is in). */
export function fromMention(event: unknown, botUserId?: string, filesOf?: FilesOf): Translated | null {
  const message = event as SlackMessageLike;
  if (!isPersonMessage(message, botUserId)) return null;
  const text = botUserId ? (message.text ?? '').replaceAll(`<@${botUserId}>`, ' ') : (message.text ?? '');
  const target = { channel: message.channel, thread: message.thread_ts ?? message.ts };
  return { incoming: incoming(message, plainText(text), filesOf?.(message)), target };
}

/** "Triage this message" on someone's post: the post's text, answered in its thread. */
export function fromShortcut(message: SlackMessageLike, requester: string): Translated {
  return {
    incoming: { ...incoming(message, plainText(message.text ?? '')), user: requester },
    target: { channel: message.channel, thread: message.thread_ts ?? message.ts },
  };
}

/** `/rdp …`: what to ack at once, and the triage to run (none for an empty command). */
export function fromCommand(command: {
  text: string;
  trigger_id: string;
  user_id: string;
  channel_id: string;
}) {
  const text = plainText(command.text).trim();
  if (text === '') return { ack: slackCommandAck(text) };
  const { user_id: user, channel_id: channel } = command;
  const answer: Translated = {
    incoming: { platform: 'slack', id: `command:${command.trigger_id}`, user, channel, text },
    target: { channel },
  };
  return { ack: slackCommandAck(text), answer };
}

/** A person's message in a watched channel: answered in its own thread; a reply names its thread. */
export function fromWatched(event: unknown, botUserId: string | undefined, filesOf: FilesOf) {
  const message = event as SlackMessageLike;
  if (!isPersonMessage(message, botUserId)) return null;
  const topLevel = message.thread_ts === undefined || message.thread_ts === message.ts;
  const { thread, ...question } = incoming(message, plainText(message.text ?? ''), filesOf(message));
  const reply = { ...question, ...(thread && { thread }) };
  const target = { channel: message.channel, thread: message.ts };
  return { incoming: topLevel ? question : reply, ts: message.ts, topLevel, target };
}

function isPersonMessage(event: SlackMessageLike, botUserId: string | undefined): boolean {
  // file_share: a message with an attached screenshot, answered like typed text.
  if (event.subtype !== undefined && event.subtype !== 'thread_broadcast' && event.subtype !== 'file_share')
    return false;
  if (event.bot_id !== undefined || event.edited !== undefined) return false;
  return event.user !== undefined && event.user !== botUserId;
}

function incoming(event: SlackMessageLike, text: string, files: AttachedFile[] = []): Incoming {
  return {
    platform: 'slack',
    id: `${event.channel}:${event.ts}`,
    user: event.user ?? 'unknown',
    channel: event.channel,
    ...(event.thread_ts && { thread: event.thread_ts }),
    text,
    ...(files.length > 0 && { files }),
  };
}
