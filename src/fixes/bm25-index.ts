import { stemWord } from '../text/stem-word.js';

/** How a text is read into stems: stop words carry nothing, a synonym is read as the catalogue's word. */
export interface Vocabulary {
  stop: Set<string>;
  synonyms: Map<string, string[]>;
}

/** One document that shares words with a message, and the message's words that matched. */
export interface Bm25Match {
  key: string;
  /** The BM25 score over the largest score the message's words could reach, 0..1. */
  similarity: number;
  /** The message's words that carry the match, strongest first (at most 3). */
  words: string[];
}

export interface Bm25Options {
  k1: number;
  b: number;
  /** Rare words added to every message's largest possible score, so a few common words are no sure match. */
  ceilingWords: number;
}

interface Bm25Document {
  key: string;
  /** Stem → count in the document. */
  counts: Map<string, number>;
  /** Sum of the counts: the document's length for BM25's length normalisation. */
  length: number;
}

export interface Bm25Index {
  documents: Bm25Document[];
  idf: Map<string, number>;
  averageLength: number;
  fallbackIdf: number;
  vocabulary: Vocabulary;
}

export function createVocabulary(stopWords: readonly string[], synonyms: Record<string, string>): Vocabulary {
  return {
    stop: new Set(stopWords.flatMap((word) => [word, stemWord(word)])),
    synonyms: new Map(Object.entries(synonyms).map(([word, as]) => [word.toLowerCase(), splitWords(as)])),
  };
}

/** Indexes documents (key, text) for `scoreBm25`; keys may repeat (several texts of one fix). */
export function createBm25Index(
  texts: readonly { key: string; text: string }[],
  vocabulary: Vocabulary,
): Bm25Index {
  const documents = texts.map(({ key, text }) => {
    const counts = new Map<string, number>();
    for (const word of splitWords(text))
      for (const stem of stemsOf(word, vocabulary)) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    let length = 0;
    for (const count of counts.values()) length += count;
    return { key, counts, length };
  });
  const total = documents.length;
  const frequency = new Map<string, number>();
  for (const { counts } of documents)
    for (const stem of counts.keys()) frequency.set(stem, (frequency.get(stem) ?? 0) + 1);
  // BM25's idf, kept positive: a word in most documents still weighs a little, never against one.
  const idf = new Map<string, number>();
  for (const [stem, n] of frequency) idf.set(stem, Math.log(1 + (total - n + 0.5) / (n + 0.5)));
  const averageLength = documents.reduce((sum, d) => sum + d.length, 0) / Math.max(1, total) || 1;
  return { documents, idf, averageLength, fallbackIdf: Math.log(1 + (total + 0.5) / 0.5), vocabulary };
}

/**
 * Okapi BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond",
 * 2009) of every document against the message's words, as a share of the best score those words
 * could reach: a word's weight saturates with its count and long documents do not win by length
 * alone. Documents in index order, only those that share a word.
 */
export function scoreBm25(index: Bm25Index, terms: readonly string[], options: Bm25Options): Bm25Match[] {
  const { k1, b, ceilingWords } = options;
  const stemToWord = new Map<string, string>();
  for (const term of terms) {
    for (const stem of stemsOf(term, index.vocabulary)) if (!stemToWord.has(stem)) stemToWord.set(stem, term);
  }
  // The best a document could score: every word of the message in it, saturated. A word no
  // document uses still counts here, as it would in a document of its own: a long message matches
  // less surely. `ceilingWords` rare words more keep a two-word message from matching "for sure"
  // on a word half the documents use.
  let ceiling = ceilingWords * index.fallbackIdf * (k1 + 1);
  for (const stem of stemToWord.keys()) ceiling += (index.idf.get(stem) ?? index.fallbackIdf) * (k1 + 1);
  if (ceiling === 0 || stemToWord.size === 0) return [];
  const matches: Bm25Match[] = [];
  for (const { key, counts, length } of index.documents) {
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
    if (score <= 0) continue;
    let similarity = score / ceiling;
    // One shared word is chance ("remmina" is in every Remmina fix): it counts half.
    if (parts.length < 2) similarity /= 2;
    const words = parts
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([stem]) => stemToWord.get(stem) ?? stem);
    matches.push({ key, similarity, words });
  }
  return matches;
}

/** The stems one word stands for: none for a stop word, the catalogue's words for a synonym. */
function stemsOf(word: string, vocabulary: Vocabulary): string[] {
  if (vocabulary.stop.has(word)) return [];
  const words = vocabulary.synonyms.get(word) ?? [word];
  const stems: string[] = [];
  for (const each of words) {
    const stem = stemWord(each);
    if (!vocabulary.stop.has(each) && !vocabulary.stop.has(stem)) stems.push(stem);
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
