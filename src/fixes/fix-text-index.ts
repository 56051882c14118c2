import { type Bm25Index, createBm25Index, createVocabulary, scoreBm25 } from './bm25-index.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** A fix whose own text shares words with the message, and the message's words that matched. */
export interface TextMatch {
  fixId: string;
  /** The BM25 score over the largest score the message's words could reach, 0..1. */
  similarity: number;
  /** The message's words that carry the match, strongest first (at most 3). */
  words: string[];
}

// Built once per catalogue: the fixes are immutable once loaded. Keyed on the fix list, so a copy
// of the knowledge base that changes only its cases (the evaluation's leave-one-out) shares it.
const indexes = new WeakMap<KnowledgeBase['fixes'], Bm25Index>();

/**
 * The fixes whose description (title, when, steps, verify, the causes they address) is closest to
 * the message's words — the part of ranking that needs no rule, so a fix added to the catalogue is
 * found by its own text. Okapi BM25 (src/fixes/bm25-index.ts): a step that repeats "gateway" five
 * times is not five times about gateways, and long fixes do not win by length alone. Pure and
 * deterministic; ties keep catalogue order.
 */
export function matchFixText(kb: KnowledgeBase, terms: readonly string[]): TextMatch[] {
  const { maxFixes, minSimilarity, k1, b, ceilingWords } = kb.rules.textMatch;
  if (maxFixes === 0 || terms.length === 0) return [];
  const matches = scoreBm25(indexFor(kb), terms, { k1, b, ceilingWords })
    .filter((match) => match.similarity >= minSimilarity)
    .map(({ key, similarity, words }) => ({ fixId: key, similarity, words }));
  // Stable sort: equal similarities keep catalogue order.
  return matches.sort((x, y) => y.similarity - x.similarity).slice(0, maxFixes);
}

function indexFor(kb: KnowledgeBase): Bm25Index {
  const cached = indexes.get(kb.fixes);
  if (cached) return cached;
  const { stopWords, synonyms } = kb.rules.textMatch;
  const documents = kb.fixes.map((fix) => {
    const causes = Object.keys(fix.causes).map((cause) => kb.causes.get(cause) ?? '');
    // The title counts twice: it names what the fix is for.
    const text = [
      fix.title,
      fix.title,
      fix.when ?? '',
      ...fix.steps.map((step) => step.text),
      fix.verify.text,
      ...causes,
    ];
    return { key: fix.id, text: text.join(' ') };
  });
  const index = createBm25Index(documents, createVocabulary(stopWords, synonyms));
  indexes.set(kb.fixes, index);
  return index;
}
