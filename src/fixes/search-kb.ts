import type { Understanding } from '../report/understanding.js';
import type { CodeEntry, Fix, KnowledgeBase } from './knowledge-base.js';
import { GENERIC_REASON, rank } from './rank.js';

export interface KbSearchResult {
  codes: { entry: CodeEntry; score: number }[];
  fixes: { fix: Fix; score: number }[];
}

const MAX_WORDS = 12;
const STOP_WORDS = new Set([
  'the',
  'an',
  'or',
  'and',
  'of',
  'to',
  'is',
  'in',
  'on',
  'for',
  'this',
  'that',
  'it',
  'be',
  'you',
  'your',
  'was',
  'has',
]);

/**
 * Search for `kb search WORDS` (e.g. a sentence from an error dialog). When the caller passes what
 * understand() made of the words, the fixes the bot would rank for that sentence come first —
 * "the remote session was disconnected because there are no Remote Desktop License Servers" finds
 * the licensing fixes although few of its words are in their titles. Then a word search over code
 * names and meanings and fix titles and steps: at least half of the words must appear in a hit,
 * title and name hits weigh more than body text. Deterministic order.
 */
export function searchKnowledgeBase(
  kb: KnowledgeBase,
  query: string,
  limit = 10,
  understanding?: Understanding,
): KbSearchResult {
  const byWords = searchWords(kb, query, limit);
  if (understanding === undefined) return byWords;
  // Only an answer that rests on the sentence itself, not the generic first steps.
  const fromRank = rank({ ...understanding, intent: 'rdp_failure' }, [], {}, kb)
    .filter((fix) => fix.reasons[0] !== GENERIC_REASON)
    .slice(0, Math.min(5, limit));
  const seen = new Set(fromRank.map((fix) => fix.id));
  const fixes = [
    ...fromRank.flatMap((fix) => {
      const entry = kb.fixById.get(fix.id);
      return entry ? [{ fix: entry, score: fix.score }] : [];
    }),
    ...byWords.fixes.filter((hit) => !seen.has(hit.fix.id)),
  ].slice(0, limit);
  return { codes: byWords.codes, fixes };
}

function searchWords(kb: KnowledgeBase, query: string, limit: number): KbSearchResult {
  const words = [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^\p{L}\p{N}_]+/u)
        .filter((word) => word.length >= 2 && !STOP_WORDS.has(word)),
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
  const headWords = toWords(head);
  const bodyWords = toWords(body);
  let score = 0;
  let matched = 0;
  for (const word of words) {
    const inHead = headWords.has(word) || headWords.has(`${word}s`);
    if (!inHead && !bodyWords.has(word) && !bodyWords.has(`${word}s`)) continue;
    matched += 1;
    score += inHead ? 3 : 1;
  }
  return matched * 2 >= words.length ? score : 0;
}

/** Whole words, camelCase and snake_case names split: `disconnectReasonTimerError` → disconnect reason timer error. */
function toWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const token of text.split(/[^\p{L}\p{N}]+/u)) {
    if (token === '') continue;
    words.add(token.toLowerCase());
    for (const part of token.split(/(?<=[a-z])(?=[A-Z])|_/)) words.add(part.toLowerCase());
  }
  return words;
}
