import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TeamsSettings } from '../../config/teams-env.js';
import {
  type ConversationStore,
  MAX_STORED_CONVERSATIONS,
  type StoredConversation,
} from '../../store/conversation-store.js';
// The rule serve's webhook applies to what it answers, applied to what it writes unasked.
import { isLoopbackUrl } from '../adapters/webhook-server.js';

/**
 * Bot Framework conversation references (Teams): what the bot needs to write into a conversation
 * when nobody just wrote to it — an edit after the user's turn ended, an incident's helpdesk post,
 * a reporter told that it is resolved. Plain data, no botbuilder: the adapter hands over what
 * `TurnContext.getConversationReference` gave it, and gets back what `continueConversationAsync`
 * takes.
 */

/**
 * The fields botbuilder addresses a conversation by and the service URL, no names or text.
 * Parsing with it keeps those fields only, when a reference is stored and when it is read back.
 */
const referenceSchema = z.object({
  serviceUrl: z.string(),
  channelId: z.string().optional(),
  activityId: z.string().optional(),
  bot: z.object({ id: z.string() }).optional(),
  conversation: z.object({
    id: z.string(),
    isGroup: z.boolean().optional(),
    conversationType: z.string().optional(),
    tenantId: z.string().optional(),
  }),
});

export type ConversationRef = z.infer<typeof referenceSchema>;

/** A bot message: the reference of its conversation and its activity id (`Surface.messageRef`, as JSON). */
const cardRefSchema = z.object({ reference: referenceSchema, id: z.string().min(1) });

export type CardRef = z.infer<typeof cardRefSchema>;

/** The `messageRef` of the bot's message `id`; undefined when the reference lacks what an edit needs. */
export function cardRef(reference: unknown, id: string): string | undefined {
  const parsed = cardRefSchema.safeParse({ reference, id });
  return parsed.success ? JSON.stringify(parsed.data) : undefined;
}

/** undefined when there is no message or the record is not one `cardRef` wrote (a malformed record). */
export function parseCardRef(messageRef: string | undefined): CardRef | undefined {
  try {
    return cardRefSchema.parse(JSON.parse(messageRef ?? ''));
  } catch {
    return undefined;
  }
}

/** What of an activity says where it was written. */
export interface ActivityPlace {
  conversation: { id: string; conversationType?: string };
  channelData?: unknown;
}

/**
 * The Teams channel an activity was written in, or undefined outside a channel (a 1:1 or group
 * chat). A channel thread's conversation id is `<channel>;messageid=<root>`; Teams also sends the
 * bare channel id in `channelData.channel.id`.
 */
export function channelOf({ conversation, channelData }: ActivityPlace): string | undefined {
  if (conversation.conversationType !== 'channel') return undefined;
  const data = channelData as { channel?: { id?: unknown } } | undefined;
  const id = data?.channel?.id;
  return typeof id === 'string' && id !== '' ? id : conversation.id.split(';')[0];
}

/** The helpdesk channel as configured, for a reference before the bot has seen it (config incidents.helpdesk.teams). */
export interface ConfiguredChannel {
  channel: string;
  /** The Bot Connector of the tenant's region (TEAMS_SERVICE_URL); without it, only a learned reference works. */
  serviceUrl?: string;
  tenantId?: string;
  /** The bot's own channel account id (`28:<app id>`), sent as the message's `from`. */
  botId?: string;
}

/**
 * The configured helpdesk channel with what the Teams settings say about reaching it; undefined
 * without one. A Teams bot's channel account is `28:<app id>`; in Emulator mode there is none.
 */
export function configuredChannel(
  channel: string | undefined,
  settings: Pick<TeamsSettings, 'appId' | 'serviceUrl' | 'tenantId'>,
): ConfiguredChannel | undefined {
  if (channel === undefined) return undefined;
  const { appId, serviceUrl, tenantId } = settings;
  return {
    channel,
    ...(serviceUrl && { serviceUrl }),
    ...(tenantId && { tenantId }),
    ...(appId && { botId: `28:${appId}` }),
  };
}

export interface ConversationReferences {
  /** A reference from an activity the bot received; `channel` (channelOf) files it under that channel. */
  learn(reference: unknown, channel?: string): void;
  /**
   * Where to post a new message in `channel` (a Teams channel id or a chat's conversation id):
   * learned from an activity there, else built from the configured channel; undefined when neither.
   */
  forChannel(channel: string): ConversationRef | undefined;
}

/** Conversations remembered at most; the oldest seen is forgotten first. */
const MAX_CONVERSATIONS = MAX_STORED_CONVERSATIONS;

/**
 * A conversation seen again with the same reference is written again after this long, so the
 * conversations in use stay among the newest the store keeps, without a write per activity.
 */
const RESAVE_AFTER_MS = 60 * 60 * 1000;

/** The platform the references are stored under (ConversationStore). */
export const TEAMS_PLATFORM = 'teams';

/**
 * The conversations the bot has seen, newest last, each with the reference a new message there
 * needs. A channel is filed under its bare id with no activity id, so a post there starts a new
 * thread rather than replying in the thread it was learned from. `saved`: what an earlier process
 * learned (parsed again: a stored row that is no reference is dropped); `save` is told each
 * reference learned that differs from the one held, or was last told long ago. The helpdesk
 * channel can always be rebuilt from config, and a reporter's own reference travels with their
 * report (`Reporter.messageRef`); what the store adds is a channel only an activity there named.
 */
export function createConversationReferences({
  helpdesk,
  max = MAX_CONVERSATIONS,
  saved = [],
  save,
  now = Date.now,
}: {
  helpdesk?: ConfiguredChannel | undefined;
  max?: number;
  saved?: StoredConversation[];
  save?: (key: string, reference: ConversationRef) => void;
  now?: () => number;
} = {}): ConversationReferences {
  // Ordered by when each was learned (set), not by use: reads peek.
  const seen = new LRUCache<string, { ref: ConversationRef; json: string; savedAt: number }>({ max });
  const keep = (key: string, ref: ConversationRef, savedAt: number) => {
    seen.set(key, { ref, json: JSON.stringify(ref), savedAt });
  };
  for (const { key, reference } of saved) {
    const parsed = referenceSchema.safeParse(reference);
    if (parsed.success) keep(key, parsed.data, now());
  }
  return {
    learn(reference, channel) {
      const parsed = referenceSchema.safeParse(reference);
      if (!parsed.success) return;
      const { activityId: _reply, ...ref } = parsed.data;
      const key = channel ?? ref.conversation.id;
      const conversation = channel ? { ...ref.conversation, id: channel } : ref.conversation;
      const learned = { ...ref, conversation };
      const held = seen.peek(key);
      const fresh = held === undefined || held.json !== JSON.stringify(learned);
      const due = fresh || now() - (held?.savedAt ?? 0) >= RESAVE_AFTER_MS;
      keep(key, learned, due ? now() : (held?.savedAt ?? now()));
      if (due) save?.(key, learned);
    },
    forChannel(channel) {
      const learned = seen.peek(channel)?.ref;
      if (learned) return learned;
      if (helpdesk?.channel !== channel || !helpdesk.serviceUrl) return undefined;
      return {
        serviceUrl: helpdesk.serviceUrl,
        channelId: 'msteams',
        ...(helpdesk.botId && { bot: { id: helpdesk.botId } }),
        conversation: {
          id: channel,
          isGroup: true,
          conversationType: 'channel',
          ...(helpdesk.tenantId && { tenantId: helpdesk.tenantId }),
        },
      };
    },
  };
}

/** Where the Teams surface's references come from (serve's Teams adapter, `monitor --once`). */
export interface ReferenceOptions {
  /** The helpdesk channel's id (config incidents.helpdesk.teams). */
  helpdesk?: string | undefined;
  /** Where the references learned are kept across restarts (the bot's store); absent: this process only. */
  conversations?: ConversationStore | undefined;
  logger: Pick<Logger, 'warn'>;
}

/**
 * The references kept in `conversations` (SQLite with a store file, else this process's memory),
 * read once, and each one learned from now on written back, so a restarted serve and
 * `rdp-triage monitor --once` reach the conversations serve learned; the helpdesk channel as the
 * Teams settings reach it. A failed write is logged, never in the way of the turn that learned it.
 */
export async function loadConversationReferences(
  { helpdesk, conversations: store, logger }: ReferenceOptions,
  settings: Pick<TeamsSettings, 'appId' | 'serviceUrl' | 'tenantId'>,
): Promise<ConversationReferences> {
  const configured = configuredChannel(helpdesk, settings);
  if (!store) return createConversationReferences({ helpdesk: configured });
  // Without authentication (Emulator mode) the bot writes to loopback only, as it replies: a
  // reference kept while it ran with an app id must not take an unauthenticated card elsewhere.
  const saved = (await store.list(TEAMS_PLATFORM)).filter(
    ({ reference }) => settings.appId !== '' || isLoopbackReference(reference),
  );
  return createConversationReferences({
    helpdesk: configured,
    saved,
    save: (key, reference) =>
      void store
        .put(TEAMS_PLATFORM, key, reference)
        .catch((error: unknown) =>
          logger.warn({ err: error, conversation: key }, 'conversation reference not stored'),
        ),
  });
}

function isLoopbackReference(reference: unknown): boolean {
  const url = (reference as { serviceUrl?: unknown } | null)?.serviceUrl;
  try {
    return typeof url === 'string' && isLoopbackUrl(url);
  } catch {
    return false; // not a URL: dropped like any other malformed row
  }
}
