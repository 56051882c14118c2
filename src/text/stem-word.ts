import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';

const stems = new Map<string, string>();
const MAX_CACHED_STEMS = 20_000;

/**
 * The Porter stem of one lower-case word ("restrictions" → "restrict"), the one stemming every
 * phrase match and text match shares. Only plain words of three letters or more are stemmed:
 * "can't", "0x904", "self-signed" stay as written.
 */
export function stemWord(word: string): string {
  let stem = stems.get(word);
  if (stem === undefined) {
    stem = /^[a-z]{3,}$/.test(word) ? PorterStemmer.stem(word) : word;
    if (stems.size >= MAX_CACHED_STEMS) stems.clear();
    stems.set(word, stem);
  }
  return stem;
}
