import type { CodeEntry, Fix, KnowledgeBase } from './knowledge-base.js';

export interface KbSearchResult {
  codes: { entry: CodeEntry; score: number }[];
  fixes: { fix: Fix; score: number }[];
}

const MAX_WORDS = 12;

/**
 * Word search over code names and meanings and fix titles and steps, for `kb search WORDS`
 * (e.g. a sentence from an error dialog). At least half of the words must appear in a hit; title
 * and name hits weigh more than body text. Deterministic order: score, then catalogue order.
 */
export function searchKnowledgeBase(kb: KnowledgeBase, query: string, limit = 10): KbSearchResult {
  const words = [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^\p{L}\p{N}_]+/u)
        .filter((word) => word.length >= 2),
    ),
  ].slice(0, MAX_WORDS);
  if (words.length === 0) return { codes: [], fixes: [] };
  const codes = kb.codes
    .map((entry, order) => ({
      entry,
      order,
      score: scoreText(
        words,
        [entry.name ?? '', entry.value ?? '', ...entry.aliases].join(' '),
        entry.meaning,
      ),
    }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ entry, score }) => ({ entry, score }));
  const fixes = kb.fixes
    .map((fix, order) => ({
      fix,
      order,
      score: scoreText(
        words,
        `${fix.id} ${fix.title}`,
        [...fix.steps, fix.verify].map((step) => `${step.text} ${step.snippet?.code ?? ''}`).join(' '),
      ),
    }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ fix, score }) => ({ fix, score }));
  return { codes, fixes };
}

function scoreText(words: string[], head: string, body: string): number {
  const headText = head.toLowerCase();
  const bodyText = body.toLowerCase();
  let score = 0;
  let matched = 0;
  for (const word of words) {
    const inHead = headText.includes(word);
    if (!inHead && !bodyText.includes(word)) continue;
    matched += 1;
    score += inHead ? 3 : 1;
  }
  return matched * 2 >= words.length ? score : 0;
}
