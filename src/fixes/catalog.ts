import type { Fix } from './knowledge-base.js';
import { loadBuiltinKnowledgeBase } from './load-kb.js';

export type FixEntry = Fix;

/** The shipped fix catalogue (kept for callers of the first version; the knowledge base is the source). */
export function loadFixCatalog(): FixEntry[] {
  return [...loadBuiltinKnowledgeBase().fixes];
}
