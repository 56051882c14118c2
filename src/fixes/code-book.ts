import type { CodeBook, CodeBookEntry } from '../intents/code-book.js';
import { loadBuiltinKnowledgeBase } from './builtin-kb.js';
import type { CodeEntry, KnowledgeBase } from './knowledge-base.js';
import { ROLE_OF_KIND } from './resolve-code.js';

type BookRole = CodeBookEntry['role'];

/** The intents' CodeBook port, served from the knowledge base's code catalogue. */
export function createCodeBook(kb: KnowledgeBase = loadBuiltinKnowledgeBase()): CodeBook {
  const byValue = new Map<string, CodeBookEntry[]>();
  for (const [value, entries] of kb.byValue) {
    const seen = new Set<BookRole>();
    const list: CodeBookEntry[] = [];
    for (const entry of entries) {
      const role = ROLE_OF_KIND[entry.kind];
      if (role === null || seen.has(role)) continue;
      seen.add(role);
      list.push(toBookEntry(value, role, entry));
    }
    if (list.length > 0) byValue.set(value, list);
  }
  const byName = new Map<string, CodeBookEntry>();
  for (const [name, entry] of kb.byName) {
    if (entry.value === undefined || entry.kind === 'negotiation') continue;
    byName.set(name, toBookEntry(entry.value, ROLE_OF_KIND[entry.kind] ?? 'disconnect', entry));
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
