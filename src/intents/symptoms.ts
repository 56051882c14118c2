import { intentData } from './intent-data.js';
import { createPhraseIndex, type PhraseHit, type PhraseIndex } from './message-words.js';

/**
 * Symptoms named in words ("black screen then it closes", "stuck at configuring remote session"),
 * from the phrase list in data/symptoms.yaml. Whole words only: "lag" is not found in "flag".
 */

let index: PhraseIndex<string> | undefined;

/** The phrase index of data/symptoms.yaml, built on first use. */
function symptomIndex(): PhraseIndex<string> {
  index ??= createPhraseIndex(
    Object.entries(intentData().symptoms).flatMap(([id, phrases]) =>
      phrases.map((phrase) => ({ key: id, phrase })),
    ),
  );
  return index;
}

/** Symptom ids found in `words` (from toWords), in the order of data/symptoms.yaml. */
export function findSymptoms(words: string): string[] {
  return symptomIndex().find(words);
}

/** The same, with the phrase of each that the message holds. */
export function findSymptomPhrases(words: string): PhraseHit<string>[] {
  return symptomIndex().findPhrases(words);
}
