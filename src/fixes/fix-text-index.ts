import { stemWord } from '../text/stem-word.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** A fix whose own text shares words with the message, and the message's words that matched. */
export interface TextMatch {
  fixId: string;
  /** The BM25 score over the largest score the message's words could reach, 0..1. */
  similarity: number;
  /** The message's words that carry the match, strongest first (at most 3). */
  words: string[];
}

interface FixDocument {
  fixId: string;
  /** Stem → weighted count in the fix's text. */
  counts: Map<string, number>;
  /** Sum of the counts: the document's length for BM25's length normalisation. */
  length: number;
}

interface FixTextIndex {
  documents: FixDocument[];
  idf: Map<string, number>;
  averageLength: number;
  stop: Set<string>;
  synonyms: Map<string, string[]>;
  fallbackIdf: number;
}

// Built once per knowledge base object: the catalogue is immutable once loaded.
const indexes = new WeakMap<KnowledgeBase, FixTextIndex>();

/**
 * The fixes whose description (title, when, steps, verify, the causes they address) is closest to
 * the message's words — the part of ranking that needs no rule, so a fix added to the catalogue is
 * found by its own text. Okapi BM25 (Robertson & Zaragoza, "The Probabilistic Relevance
 * Framework: BM25 and Beyond", 2009): a word's weight saturates with its count (a step that
 * repeats "gateway" five times is not five times about gateways) and long fixes do not win by
 * length alone, which the earlier TF-IDF cosine did not do. Pure and deterministic; ties keep
 * catalogue order.
 */
export function matchFixText(kb: KnowledgeBase, terms: readonly string[]): TextMatch[] {
  const { maxFixes, minSimilarity, k1, b, ceilingWords } = kb.rules.textMatch;
  if (maxFixes === 0 || terms.length === 0) return [];
  const index = indexFor(kb);
  const stemToWord = new Map<string, string>();
  for (const term of terms) {
    for (const stem of stemsOf(term, index)) if (!stemToWord.has(stem)) stemToWord.set(stem, term);
  }
  // The best a fix could score: every word of the message in it, saturated. A word no fix uses
  // still counts here, as it would in a document of its own: a long message matches less surely.
  // `ceilingWords` rare words more keep a two-word message from matching "for sure" on a word
  // half the catalogue uses ("cant rdp through our gateway": every gateway fix has "gateway").
  let ceiling = ceilingWords * index.fallbackIdf * (k1 + 1);
  for (const stem of stemToWord.keys()) ceiling += (index.idf.get(stem) ?? index.fallbackIdf) * (k1 + 1);
  if (ceiling === 0) return [];
  const matches: TextMatch[] = [];
  for (const { fixId, counts, length } of index.documents) {
    const norm = k1 * (1 - b + (b * length) / index.averageLength);
    let score = 0;
    const parts: [string, number][] = [];
    for (const stem of stemToWord.keys()) {
      const count = counts.get(stem);
      if (count === undefined) continue;
      const part = ((index.idf.get(stem) ?? 0) * count * (k1 + 1)) / (count + norm);
      score += part;
      parts.push([stem, part]);
    }
    let similarity = score / ceiling;
    // One shared word is chance ("remmina" is in every Remmina fix): it counts half.
    if (parts.length < 2) similarity /= 2;
    if (similarity < minSimilarity || similarity <= 0) continue;
    const words = parts
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([stem]) => stemToWord.get(stem) ?? stem);
    matches.push({ fixId, similarity, words });
  }
  // Stable sort: equal similarities keep catalogue order.
  return matches.sort((x, y) => y.similarity - x.similarity).slice(0, maxFixes);
}

function indexFor(kb: KnowledgeBase): FixTextIndex {
  const cached = indexes.get(kb);
  if (cached) return cached;
  const { stopWords, synonyms } = kb.rules.textMatch;
  const index: FixTextIndex = {
    documents: [],
    idf: new Map(),
    averageLength: 1,
    stop: new Set(stopWords.flatMap((word) => [word, stemWord(word)])),
    synonyms: new Map(Object.entries(synonyms).map(([word, as]) => [word.toLowerCase(), splitWords(as)])),
    fallbackIdf: 0,
  };
  index.documents = kb.fixes.map((fix) => {
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
    const counts = new Map<string, number>();
    for (const word of splitWords(text.join(' ')))
      for (const stem of stemsOf(word, index)) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    let length = 0;
    for (const count of counts.values()) length += count;
    return { fixId: fix.id, counts, length };
  });
  const total = index.documents.length;
  const frequency = new Map<string, number>();
  for (const { counts } of index.documents)
    for (const stem of counts.keys()) frequency.set(stem, (frequency.get(stem) ?? 0) + 1);
  // BM25's idf, kept positive: a word in most fixes still weighs a little, never against a fix.
  for (const [stem, n] of frequency) index.idf.set(stem, Math.log(1 + (total - n + 0.5) / (n + 0.5)));
  index.fallbackIdf = Math.log(1 + (total + 0.5) / 0.5);
  index.averageLength =
    index.documents.reduce((sum, document) => sum + document.length, 0) / Math.max(1, total) || 1;
  indexes.set(kb, index);
  return index;
}

/** The stems one word stands for: none for a stop word, the catalogue's words for a synonym. */
function stemsOf(word: string, index: Pick<FixTextIndex, 'stop' | 'synonyms'>): string[] {
  if (index.stop.has(word)) return [];
  const words = index.synonyms.get(word) ?? [word];
  const stems: string[] = [];
  for (const each of words) {
    const stem = stemWord(each);
    if (!index.stop.has(each) && !index.stop.has(stem)) stems.push(stem);
  }
  return stems;
}

/**
 * Lower-case words of a text: a letter in each, two characters or more. Split where the message's
 * words are split (src/intents/message-words.ts `toWords`: dots and hyphens too), so the fix's
 * "xrdp.ini" or "self-signed" meets the user's "xrdp ini" or "self signed".
 */
function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const word of text
    .toLowerCase()
    .replace(/’/g, "'")
    .split(/[^\p{L}\p{N}']+/u)) {
    const clean = word.replace(/^'+|'+$/g, '');
    if (clean.length >= 2 && /\p{L}/u.test(clean)) words.push(clean);
  }
  return words;
}
