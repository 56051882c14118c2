import { type Bm25Index, createBm25Index, createVocabulary, scoreBm25 } from './bm25-index.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** A fix that resolved a report worded like the message: the closest report and the shared words. */
export interface CaseMatch {
  fixId: string;
  /** BM25 similarity of the closest report this fix resolved, 0..1. */
  similarity: number;
  words: string[];
  /** The public thread of that report. */
  source: string;
}

// Keyed on the case list: a knowledge-base copy with other cases (the evaluation leaves a
// thread's own report out) gets its own index, one with the same cases shares it.
const indexes = new WeakMap<KnowledgeBase['cases'], Bm25Index>();

/**
 * The fixes that resolved the reports closest to the message (cases.yaml): nearest neighbours
 * over real threads, which say a problem the way users do ("it just shows the background and
 * hangs") where a fix's own text says what it changes. Each fix counts once, by its closest
 * report. Pure and deterministic; ties keep the file's order.
 */
export function matchCases(kb: KnowledgeBase, terms: readonly string[]): CaseMatch[] {
  const { maxFixes, minSimilarity } = kb.rules.caseMatch;
  if (maxFixes === 0 || terms.length === 0 || kb.cases.length === 0) return [];
  const { k1, b, ceilingWords } = kb.rules.textMatch;
  const best = new Map<string, CaseMatch>();
  const scored = scoreBm25(indexFor(kb), terms, { k1, b, ceilingWords });
  for (const { key, similarity, words } of scored) {
    if (similarity < minSimilarity) continue;
    const entry = kb.cases[Number(key)];
    if (entry === undefined) continue;
    for (const fixId of [entry.fix, ...entry.also]) {
      const seen = best.get(fixId);
      if (seen === undefined || similarity > seen.similarity)
        best.set(fixId, { fixId, similarity, words, source: entry.source });
    }
  }
  return [...best.values()].sort((x, y) => y.similarity - x.similarity).slice(0, maxFixes);
}

function indexFor(kb: KnowledgeBase): Bm25Index {
  const cached = indexes.get(kb.cases);
  if (cached) return cached;
  const { stopWords, synonyms } = kb.rules.textMatch;
  const documents = kb.cases.map((entry, index) => ({ key: String(index), text: entry.text }));
  const index = createBm25Index(documents, createVocabulary(stopWords, synonyms));
  indexes.set(kb.cases, index);
  return index;
}
