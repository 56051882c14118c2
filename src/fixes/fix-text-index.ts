import { stemWord } from '../text/stem-word.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** A fix whose own text shares words with the message, and the message's words that matched. */
export interface TextMatch {
  fixId: string;
  /** Cosine of the TF-IDF vectors, 0..1. */
  similarity: number;
  /** The message's words that carry the match, strongest first (at most 3). */
  words: string[];
}

interface FixTextIndex {
  /** Per fix: stem → weight, normalised to length 1. */
  vectors: { fixId: string; weights: Map<string, number> }[];
  idf: Map<string, number>;
  stop: Set<string>;
  fallbackIdf: number;
}

// Built once per knowledge base object: the catalogue is immutable once loaded.
const indexes = new WeakMap<KnowledgeBase, FixTextIndex>();

/**
 * The fixes whose description (title, steps, verify, the causes they address) is closest to the
 * message's words — the part of ranking that needs no rule, so a fix added to the catalogue is
 * found by its own text. Pure and deterministic; ties keep catalogue order.
 */
export function matchFixText(kb: KnowledgeBase, terms: readonly string[]): TextMatch[] {
  const { maxFixes, minSimilarity } = kb.rules.textMatch;
  if (maxFixes === 0 || terms.length === 0) return [];
  const index = indexFor(kb);
  const stemToWord = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const word of terms) {
    if (index.stop.has(word)) continue;
    const stem = stemWord(word);
    if (index.stop.has(stem)) continue;
    if (!stemToWord.has(stem)) stemToWord.set(stem, word);
    counts.set(stem, (counts.get(stem) ?? 0) + 1);
  }
  const query = weigh(counts, (stem) => index.idf.get(stem) ?? index.fallbackIdf);
  const matches: TextMatch[] = [];
  for (const { fixId, weights } of index.vectors) {
    let similarity = 0;
    const parts: [string, number][] = [];
    for (const [stem, weight] of query) {
      const other = weights.get(stem);
      if (other === undefined) continue;
      similarity += weight * other;
      parts.push([stem, weight * other]);
    }
    // One shared word is chance ("remmina" is in every Remmina fix): it counts half.
    if (parts.length < 2) similarity /= 2;
    if (similarity < minSimilarity) continue;
    const words = parts
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([stem]) => stemToWord.get(stem) ?? stem);
    matches.push({ fixId, similarity, words });
  }
  // Stable sort: equal similarities keep catalogue order.
  return matches.sort((a, b) => b.similarity - a.similarity).slice(0, maxFixes);
}

function indexFor(kb: KnowledgeBase): FixTextIndex {
  const cached = indexes.get(kb);
  if (cached) return cached;
  const stop = new Set(kb.rules.textMatch.stopWords.flatMap((word) => [word, stemWord(word)]));
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
    return { fixId: fix.id, counts: countStems(text.join(' '), stop) };
  });
  const frequency = new Map<string, number>();
  for (const { counts } of documents)
    for (const stem of counts.keys()) frequency.set(stem, (frequency.get(stem) ?? 0) + 1);
  const total = documents.length;
  const idf = new Map<string, number>();
  for (const [stem, n] of frequency) idf.set(stem, Math.log((total + 1) / (n + 1)));
  const index: FixTextIndex = {
    vectors: documents.map(({ fixId, counts }) => ({
      fixId,
      weights: weigh(counts, (stem) => idf.get(stem) ?? 0),
    })),
    idf,
    stop,
    // A word no fix uses still weighs in the message's length, as a word in no document would.
    fallbackIdf: Math.log(total + 1),
  };
  indexes.set(kb, index);
  return index;
}

function countStems(text: string, stop: Set<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}'.-]+/u)) {
    const clean = word.replace(/^['.-]+|['.-]+$/g, '');
    if (clean.length < 2 || !/\p{L}/u.test(clean) || stop.has(clean)) continue;
    const stem = stemWord(clean);
    if (stop.has(stem)) continue;
    counts.set(stem, (counts.get(stem) ?? 0) + 1);
  }
  return counts;
}

/** Log-scaled term frequency × IDF, normalised to length 1. */
function weigh(counts: Map<string, number>, idfOf: (stem: string) => number): Map<string, number> {
  const weights = new Map<string, number>();
  let norm = 0;
  for (const [stem, count] of counts) {
    const weight = (1 + Math.log(count)) * idfOf(stem);
    if (weight <= 0) continue;
    weights.set(stem, weight);
    norm += weight * weight;
  }
  const length = Math.sqrt(norm) || 1;
  for (const [stem, weight] of weights) weights.set(stem, weight / length);
  return weights;
}
