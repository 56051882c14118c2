import { LRUCache } from 'lru-cache';
import type { SqliteDatabase } from './sqlite.js';

/**
 * Where a chat surface keeps the addresses it learned of the conversations it may write to later
 * (Teams: Bot Framework conversation references), so a restart, or another process of the same
 * bot (`rdp-triage monitor --once`), still reaches a channel only an activity there named. The
 * store keeps what it is given as JSON; the surface decides what goes in (ids and the service
 * URL, never names or text) and parses what comes back.
 */
export interface ConversationStore {
  /** Remembers `reference` for `key` (a channel or chat id) of `platform`; the newest wins. */
  put(platform: string, key: string, reference: unknown): Promise<void>;
  /** Every remembered reference of `platform`, the most recently put last. */
  list(platform: string): Promise<StoredConversation[]>;
}

export interface StoredConversation {
  key: string;
  reference: unknown;
}

/** References kept per platform; the least recently put go first (as the surface's own memory). */
export const MAX_STORED_CONVERSATIONS = 5000;

/** In-process store (no store file configured): what serve learns lasts as long as the process. */
export function createMemoryConversationStore({
  max = MAX_STORED_CONVERSATIONS,
}: {
  max?: number;
} = {}): ConversationStore {
  const byPlatform = new Map<string, LRUCache<string, string>>();
  return {
    async put(platform, key, reference) {
      const seen = byPlatform.get(platform) ?? new LRUCache<string, string>({ max });
      byPlatform.set(platform, seen);
      // Stored as JSON, as SQLite does: what comes back is a copy, never the caller's object.
      seen.set(key, JSON.stringify(reference));
    },
    async list(platform) {
      // Least recently put first (nothing but put touches the order).
      const seen = byPlatform.get(platform);
      if (!seen) return [];
      return [...seen.rkeys()].map((key) => ({
        key,
        reference: JSON.parse(seen.peek(key) ?? 'null') as unknown,
      }));
    },
  };
}

/**
 * References in the SQLite store (table conversation_refs). Each put is one committed write that
 * also drops the rows past the newest `max`, so the table never outgrows the bound.
 */
export function createSqliteConversationStore(
  db: SqliteDatabase,
  { max = MAX_STORED_CONVERSATIONS, now = Date.now }: { max?: number; now?: () => number } = {},
): ConversationStore {
  // Deleted and inserted again rather than updated: a re-put gets a new rowid, which breaks ties
  // between puts in the same millisecond the way the memory store orders them.
  const forget = db.prepare('DELETE FROM conversation_refs WHERE platform = ? AND key = ?');
  const insert = db.prepare(
    'INSERT INTO conversation_refs (platform, key, reference, seen_ms) VALUES (?, ?, ?, ?)',
  );
  const prune = db.prepare(
    `DELETE FROM conversation_refs WHERE platform = ? AND rowid IN (
       SELECT rowid FROM conversation_refs WHERE platform = ?
       ORDER BY seen_ms DESC, rowid DESC LIMIT -1 OFFSET ?)`,
  );
  const select = db.prepare(
    'SELECT key, reference FROM conversation_refs WHERE platform = ? ORDER BY seen_ms ASC, rowid ASC',
  );
  const put = db.transaction((platform: string, key: string, json: string) => {
    forget.run(platform, key);
    insert.run(platform, key, json, now());
    prune.run(platform, platform, max);
  });
  return {
    async put(platform, key, reference) {
      put(platform, key, JSON.stringify(reference));
    },
    async list(platform) {
      return (select.all(platform) as { key: string; reference: string }[]).flatMap(({ key, reference }) => {
        try {
          return [{ key, reference: JSON.parse(reference) as unknown }];
        } catch {
          // A row not written by put (edited by hand, a torn disk): skipped, the rest still load.
          return [];
        }
      });
    },
  };
}
