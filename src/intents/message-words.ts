import { stemWord } from '../text/stem-word.js';
/**
 * A message as a run of lower-case words separated by single spaces and padded with one space at
 * each end, so a phrase is found with `includes(' black screen ')` and never inside another word.
 * Apostrophes and emoji stay (can't, 👍); everything else separates words, hyphens too: users
 * write package and file names ("xrdp-sesman", "remmina-plugin-rdp", "self-signed") whose parts
 * are the words a phrase or a fix uses, and a phrase written with a hyphen is split the same way.
 */
export function toWords(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/’/g, "'")
    .replace(/[^\p{L}\p{N}\p{Extended_Pictographic}']+/gu, ' ')
    // An apostrophe inside a word stays (can't); one that opens or closes a quote does not.
    .replace(/(?<![\p{L}\p{N}])'+|'+(?![\p{L}\p{N}])/gu, ' ')
    // Chat drops the apostrophe ("cant connect", "didnt help"): read it back, so every phrase
    // and negation written with it ("can't paste", "didn't") matches either way.
    .replace(NEGATED_WITHOUT_APOSTROPHE, "$1't")
    .replace(/ {2,}/g, ' ')
    .trim();
  return ` ${words} `;
}

const NEGATED_WITHOUT_APOSTROPHE =
  /(?<![\p{L}\p{N}'])(can|won|don|doesn|didn|isn|aren|wasn|weren|haven|hasn|hadn|couldn|wouldn|shouldn)t(?![\p{L}\p{N}'])/gu;

/** Words read per message for phrases: a paste's symptoms are stated in its first few hundred words. */
const MAX_WORDS_SCANNED = 600;

/** Phrases grouped by their first word, so a message is checked only for phrases that can occur in it. */
export interface PhraseIndex<K> {
  /** The keys of the phrases found in `words` (from toWords), each once, in index order. */
  find(words: string): K[];
  /**
   * Each key found, once, with the first phrase of it that occurs (in index order) and where it
   * starts in `words`: what the user wrote, to quote back in a reason.
   */
  findPhrases(words: string): PhraseHit<K>[];
  /** Every occurrence of every phrase, in message order (a phrase's longest match at each word). */
  findAll(words: string): PhraseHit<K>[];
}

export interface PhraseHit<K> {
  key: K;
  /** The phrase as it stands in the message's words (lower case, single spaces). */
  phrase: string;
  /** Index in `words` of the phrase's first character. */
  at: number;
}

/** A phrase of this many words or more may have one extra word inside ("after yesterday's update"). */
const MIN_WORDS_FOR_GAP = 3;

interface Token {
  stem: string;
  start: number;
  end: number;
}

/**
 * Phrases match on word stems (natural's Porter stemmer: "restrictions" finds "account
 * restriction", "disconnected" finds "disconnects"), and a phrase of three words or more may have
 * one other word inside it. Real reports are worded a hundred ways; the data lists each idea once.
 */
export function createPhraseIndex<K>(entries: readonly { key: K; phrase: string }[]): PhraseIndex<K> {
  const byFirstStem = new Map<string, { key: K; stems: string[]; order: number }[]>();
  entries.forEach(({ key, phrase }, order) => {
    const stems = tokenize(toWords(phrase)).map((token) => token.stem);
    const first = stems[0];
    if (first === undefined) return;
    byFirstStem.set(first, [...(byFirstStem.get(first) ?? []), { key, stems, order }]);
  });
  const findPhrases = (words: string): PhraseHit<K>[] => {
    const tokens = tokenize(words, MAX_WORDS_SCANNED);
    const hits = new Map<K, { order: number; phrase: string; at: number }>();
    tokens.forEach((token, index) => {
      for (const { key, stems, order } of byFirstStem.get(token.stem) ?? []) {
        const seen = hits.get(key);
        if (seen && seen.order <= order) continue;
        const last = matchFrom(tokens, index, stems);
        if (last === -1) continue;
        hits.set(key, { order, phrase: words.slice(token.start, tokens[last]?.end), at: token.start });
      }
    });
    return [...hits.entries()]
      .sort((a, b) => a[1].order - b[1].order)
      .map(([key, { phrase, at }]) => ({ key, phrase, at }));
  };
  const findAll = (words: string): PhraseHit<K>[] => {
    const tokens = tokenize(words, MAX_WORDS_SCANNED);
    const all: PhraseHit<K>[] = [];
    tokens.forEach((token, index) => {
      const keys = new Set<K>();
      for (const { key, stems } of byFirstStem.get(token.stem) ?? []) {
        if (keys.has(key)) continue;
        const last = matchFrom(tokens, index, stems);
        if (last === -1) continue;
        keys.add(key);
        all.push({ key, phrase: words.slice(token.start, tokens[last]?.end), at: token.start });
      }
    });
    return all;
  };
  return { find: (words) => findPhrases(words).map((hit) => hit.key), findPhrases, findAll };
}

/** Index of the phrase's last token in `tokens` when it matches from `index`, else -1. */
function matchFrom(tokens: readonly Token[], index: number, stems: readonly string[]): number {
  let gaps = stems.length >= MIN_WORDS_FOR_GAP ? 1 : 0;
  let at = index;
  for (let k = 1; k < stems.length; k++) {
    at += 1;
    if (tokens[at]?.stem === stems[k]) continue;
    if (gaps > 0 && k > 0 && tokens[at + 1]?.stem === stems[k]) {
      gaps -= 1;
      at += 1;
      continue;
    }
    return -1;
  }
  return at;
}

/** The words of a `toWords` string with their stems and where each stands in it. */
function tokenize(words: string, limit = Number.POSITIVE_INFINITY): Token[] {
  const tokens: Token[] = [];
  let start = 1;
  while (start < words.length && tokens.length < limit) {
    const end = words.indexOf(' ', start);
    if (end === -1) break;
    if (end > start) tokens.push({ stem: stemWord(words.slice(start, end)), start, end });
    start = end + 1;
  }
  return tokens;
}

/** Most distinct words kept in Understanding.terms: a long paste's first words state the problem. */
const MAX_TERMS = 120;

/**
 * The distinct words of a `toWords` string, in message order, for text matching against the fix
 * catalogue: words with a letter, 2 to 40 characters; numbers and codes are read elsewhere.
 */
export function contentTerms(words: string): string[] {
  const seen = new Set<string>();
  for (const word of words.split(' ')) {
    if (seen.size >= MAX_TERMS) break;
    // Hex codes are read as codes, not as words.
    if (word.length < 2 || word.length > 40 || !/\p{L}/u.test(word) || /^0x[0-9a-f]+$/.test(word)) continue;
    seen.add(word);
  }
  return [...seen];
}
