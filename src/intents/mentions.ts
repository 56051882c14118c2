import type { Mention } from '../report/understanding.js';
import { intentData } from './intent-data.js';
import { createPhraseIndex, type PhraseHit, type PhraseIndex } from './message-words.js';

/**
 * What the message says beyond codes and hosts, with the user's own words: the situation it
 * describes (data/cues.yaml: the client, the gateway, "after the update", "the password is
 * correct") and the fixes the user says they already tried (data/tried.yaml). Ranking turns cues
 * into priors and tried fixes into a penalty; the reply quotes `words` back.
 */

/** Words that, just before a "tried" phrase, say it was not done ("haven't cleared credentials"). */
const NEGATIONS = new Set([
  'not',
  "n't",
  "haven't",
  "hasn't",
  "didn't",
  'never',
  'without',
  'no',
  'cannot',
  "can't",
]);
/** How many words before a tried phrase are read for a negation or a question. */
const NEGATION_WINDOW = 3;
/** A question about a fix ("should I clear the credentials?") is no attempt either. */
const QUESTION_STARTS = /(?:^| )(?:should|shall|can|could|do|how do|must|would) (?:i|we|you)(?: )?$/;

interface MentionIndexes {
  cues: PhraseIndex<string>;
  tried: PhraseIndex<string>;
  cueIds: readonly string[];
  triedIds: readonly string[];
}

let loaded: MentionIndexes | undefined;

/** The cue and tried phrase lists, read from data/ on first use. */
export function mentionIndexes(): MentionIndexes {
  if (loaded) return loaded;
  const { cues, tried } = intentData();
  loaded = {
    cues: phraseIndex(cues),
    tried: phraseIndex(tried),
    cueIds: Object.keys(cues),
    triedIds: Object.keys(tried),
  };
  return loaded;
}

/**
 * A client named with its version ("remmina 1.2.0-rcgit.8", "freerdp-x11 1.1.0", "mremoteng
 * 1.76"): as `toWords` reads them, the name, at most one more word, then two numbers. A phrase list
 * cannot hold every version, so this cue is read by pattern; its priors are in rules.yaml.
 */
const CLIENT_VERSION =
  / (?:remmina|freerdp|xfreerdp3?|wfreerdp|wlfreerdp|sdl freerdp3?|rdesktop|mremoteng|rdcman|msrdc|mstsc)(?: [a-z]+\d*)? v?\d+ \d+/;

/** Cues and tried fixes in `words` (from toWords), each once, in data-file order. */
export function findMentions(words: string): Mention[] {
  const { cues, tried } = mentionIndexes();
  const mentions: Mention[] = cues
    .findPhrases(words)
    .map((hit) => ({ kind: 'cue', id: hit.key, words: hit.phrase }));
  const version = CLIENT_VERSION.exec(words);
  if (version !== null) mentions.push({ kind: 'cue', id: 'client_version', words: version[0].trim() });
  for (const hit of tried.findPhrases(words)) {
    if (!isAttempt(words, hit)) continue;
    mentions.push({ kind: 'tried', id: hit.key, words: hit.phrase });
  }
  return mentions;
}

function isAttempt(words: string, hit: PhraseHit<string>): boolean {
  const before = words.slice(0, hit.at).trim().split(' ').slice(-NEGATION_WINDOW);
  if (before.some((word) => NEGATIONS.has(word) || word.endsWith("n't"))) return false;
  return !QUESTION_STARTS.test(before.join(' '));
}

function phraseIndex(file: Record<string, string[]>): PhraseIndex<string> {
  return createPhraseIndex(
    Object.entries(file).flatMap(([id, phrases]) => phrases.map((phrase) => ({ key: id, phrase }))),
  );
}
