import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { TriageError } from '../errors.js';

/**
 * Symptoms named in words ("black screen then it closes", "stuck at configuring remote session"),
 * from the phrase list in data/symptoms.yaml. Whole words only: "lag" is not found in "flag".
 */

const symptomsSchema = z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().min(2)).min(1));

const SYMPTOMS = loadSymptoms();

export function findSymptoms(text: string): string[] {
  const words = ` ${toWords(text)} `;
  const found: string[] = [];
  for (const { id, phrases } of SYMPTOMS) {
    if (phrases.some((phrase) => words.includes(phrase))) found.push(id);
  }
  return found;
}

function toWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .trim();
}

function loadSymptoms(): { id: string; phrases: string[] }[] {
  const url = new URL('./data/symptoms.yaml', import.meta.url);
  const result = symptomsSchema.safeParse(parse(readFileSync(url, 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TriageError('KB_INVALID', `symptoms.yaml: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return Object.entries(result.data).map(([id, phrases]) => ({
    id,
    phrases: phrases.map((phrase) => ` ${toWords(phrase)} `),
  }));
}
