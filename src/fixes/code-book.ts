import type { CodeBook, CodeBookEntry } from '../intents/code-book.js';
import type { CodeEntry, KnowledgeBase } from './knowledge-base.js';
import { loadBuiltinKnowledgeBase } from './load-kb.js';

type BookRole = CodeBookEntry['role'];

// AVD diagnostics codes are keyed by name (their numbers are generic HRESULTs): they reach the
// extractor by name only, as disconnect-style codes. RDP_NEG_FAILURE codes are probe results, not
// something a user pastes, so the extractor never sees them (they would shadow 0x1–0x6).
const ROLE_BY_KIND: Record<CodeEntry['kind'], BookRole | null> = {
  disconnect: 'disconnect',
  extended: 'extended',
  error_info: 'error_info',
  gateway: 'gateway',
  // FreeRDP prints its own connect errors ([0x0002000D]); no RDP role fits, so the role stays unknown.
  freerdp: 'unknown',
  ntstatus: 'unknown',
  avd: null,
  negotiation: null,
};

/** The intents' CodeBook port, served from the knowledge base's code catalogue. */
export function createCodeBook(kb: KnowledgeBase = loadBuiltinKnowledgeBase()): CodeBook {
  const byValue = new Map<string, CodeBookEntry[]>();
  for (const [value, entries] of kb.byValue) {
    const seen = new Set<BookRole>();
    const list: CodeBookEntry[] = [];
    for (const entry of entries) {
      const role = ROLE_BY_KIND[entry.kind];
      if (role === null || seen.has(role)) continue;
      seen.add(role);
      list.push(toBookEntry(value, role, entry));
    }
    if (list.length > 0) byValue.set(value, list);
  }
  const byName = new Map<string, CodeBookEntry>();
  for (const [name, entry] of kb.byName) {
    if (entry.value === undefined || entry.kind === 'negotiation') continue;
    byName.set(name, toBookEntry(entry.value, ROLE_BY_KIND[entry.kind] ?? 'disconnect', entry));
  }
  return {
    lookup: (value) => byValue.get(normaliseValue(value)) ?? [],
    byName: (name) => byName.get(name.trim().toLowerCase()),
  };
}

function toBookEntry(value: string, role: BookRole, entry: CodeEntry): CodeBookEntry {
  // NTSTATUS values (0xC000006D) are Windows-wide: unnamed here, they do not make a message RDP's
  // (understand() counts a named code as a sign of Remote Desktop); ranking still names them.
  const named = entry.name !== undefined && entry.kind !== 'ntstatus';
  return { value, role, ...(named && { name: entry.name }) };
}

function normaliseValue(value: string): string {
  const text = value.trim().toLowerCase();
  if (!/^0x[0-9a-f]{1,8}$/.test(text)) return text;
  return `0x${Number.parseInt(text.slice(2), 16).toString(16)}`;
}
