import type { Incoming } from './conversation.js';

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
}

export interface Translated {
  incoming: Incoming;
  target: SlackTarget;
}

/**
 * A direct message to the bot, or null for what it must not answer: other bots, its own posts,
 * edits, deletions, joins and every other subtype (Bolt's ignoreSelf lets `message_changed` through).
 */
export function fromDirectMessage(event: SlackMessageLike, botUserId: string | undefined): Translated | null {
  if (event.channel_type !== 'im' || !isPersonMessage(event, botUserId)) return null;
  return {
    incoming: incoming(event, plainText(event.text ?? '')),
    // A top-level DM is answered in the DM; a reply inside a DM thread stays in that thread.
    target: { channel: event.channel, ...(event.thread_ts && { thread: event.thread_ts }) },
  };
}

/** A mention in a channel, answered in the thread of the message (or the thread it is in). */
export function fromMention(event: SlackMessageLike, botUserId: string | undefined): Translated | null {
  if (!isPersonMessage(event, botUserId)) return null;
  const withoutBot = botUserId ? (event.text ?? '').replaceAll(`<@${botUserId}>`, ' ') : (event.text ?? '');
  return {
    incoming: incoming(event, plainText(withoutBot)),
    target: { channel: event.channel, thread: event.thread_ts ?? event.ts },
  };
}

/** "Triage this message" on someone's post: the post's text, answered in its thread. */
export function fromShortcut(message: SlackMessageLike, requester: string): Translated {
  return {
    incoming: { ...incoming(message, plainText(message.text ?? '')), user: requester },
    target: { channel: message.channel, thread: message.thread_ts ?? message.ts },
  };
}

function isPersonMessage(event: SlackMessageLike, botUserId: string | undefined): boolean {
  // file_share: a message with an attached screenshot (issue 12), answered like typed text.
  if (event.subtype !== undefined && event.subtype !== 'thread_broadcast' && event.subtype !== 'file_share')
    return false;
  if (event.bot_id !== undefined || event.edited !== undefined) return false;
  return event.user !== undefined && event.user !== botUserId;
}

function incoming(event: SlackMessageLike, text: string): Incoming {
  return {
    platform: 'slack',
    id: `${event.channel}:${event.ts}`,
    user: event.user ?? 'unknown',
    channel: event.channel,
    ...(event.thread_ts && { thread: event.thread_ts }),
    text,
  };
}

/**
 * Slack's message markup back to what the user typed: `<http://srv-fin-02.corp|srv-fin-02.corp>`
 * (Slack links host names on its own) → `srv-fin-02.corp`, `<@U1>` → `@U1`, `&lt;` → `<`.
 * https://docs.slack.dev/messaging/formatting-message-text
 */
export function plainText(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, (_match, _target: string, label: string) => label)
    .replace(/<!([^<>]*)>/g, '@$1')
    .replace(/<(?:mailto:|tel:)?([^<>]*)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
