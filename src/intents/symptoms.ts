import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { TriageError } from '../errors.js';
import { createPhraseIndex, type PhraseHit, type PhraseIndex } from './message-words.js';

/**
 * Symptoms named in words ("black screen then it closes", "stuck at configuring remote session"),
 * from the phrase list in data/symptoms.yaml. Whole words only: "lag" is not found in "flag".
 */

const symptomsSchema = z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().min(2)).min(1));

const SYMPTOMS = loadSymptoms();

/** Symptom ids found in `words` (from toWords), in the order of data/symptoms.yaml. */
export function findSymptoms(words: string): string[] {
  return SYMPTOMS.find(words);
}

/** The same, with the phrase of each that the message holds. */
export function findSymptomPhrases(words: string): PhraseHit<string>[] {
  return SYMPTOMS.findPhrases(words);
}

function loadSymptoms(): PhraseIndex<string> {
  const url = new URL('./data/symptoms.yaml', import.meta.url);
  const result = symptomsSchema.safeParse(parse(readFileSync(url, 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TriageError('KB_INVALID', `symptoms.yaml: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return createPhraseIndex(
    Object.entries(result.data).flatMap(([id, phrases]) => phrases.map((phrase) => ({ key: id, phrase }))),
  );
}
