/**
 * A message as a run of lower-case words separated by single spaces and padded with one space at
 * each end, so a phrase is found with `includes(' black screen ')` and never inside another word.
 * Apostrophes, hyphens and emoji stay (can't, self-signed, 👍); everything else separates words.
 */
export function toWords(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/’/g, "'")
    .replace(/[^\p{L}\p{N}\p{Extended_Pictographic}'-]+/gu, ' ')
    .trim();
  return ` ${words} `;
}

/** Words read per message for phrases: a paste's symptoms are stated in its first few hundred words. */
const MAX_WORDS_SCANNED = 600;

/** Phrases grouped by their first word, so a message is checked only for phrases that can occur in it. */
export interface PhraseIndex<K> {
  /** The keys of the phrases found in `words` (from toWords), each once, in index order. */
  find(words: string): K[];
}

export function createPhraseIndex<K>(entries: readonly { key: K; phrase: string }[]): PhraseIndex<K> {
  const byFirstWord = new Map<string, { key: K; phrase: string; order: number }[]>();
  entries.forEach(({ key, phrase }, order) => {
    const padded = toWords(phrase);
    const first = padded.trim().split(' ')[0] ?? '';
    if (first === '') return;
    byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), { key, phrase: padded, order }]);
  });
  return {
    find(words) {
      const hits = new Map<K, number>();
      let start = 1;
      let scanned = 0;
      while (start < words.length && scanned++ < MAX_WORDS_SCANNED) {
        const end = words.indexOf(' ', start);
        if (end === -1) break;
        const candidates = byFirstWord.get(words.slice(start, end));
        if (candidates)
          for (const { key, phrase, order } of candidates) {
            if (hits.has(key) && (hits.get(key) ?? 0) <= order) continue;
            // The phrase starts at this word: compare in place instead of searching the message.
            if (words.startsWith(phrase, start - 1)) hits.set(key, Math.min(order, hits.get(key) ?? order));
          }
        start = end + 1;
      }
      return [...hits.entries()].sort((a, b) => a[1] - b[1]).map(([key]) => key);
    },
  };
}
