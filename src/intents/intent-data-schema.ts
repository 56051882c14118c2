import { z } from 'zod';
import { readYamlFile } from '../data/read-yaml-file.js';
import { INTENTS, type Intent } from '../report/understanding.js';

/**
 * The shape of the phrase files in data/, validated when `npm run build` compiles them
 * (scripts/compile-data.ts) and by the tests; the run time reads the compiled form
 * (src/intents/intent-data.ts) and never loads this module, the YAML parser or zod.
 */

/** data/intents.yaml: training phrases of the intent classifier, at least five per intent. */
const trainingSchema = z.object(
  Object.fromEntries(INTENTS.map((intent) => [intent, z.array(z.string().min(1)).min(5)])) as Record<
    Intent,
    z.ZodArray<z.ZodString>
  >,
);

/** data/hosts.yaml: words that look like host names and are not. Lower-cased here, once. */
const lowerCaseWords = z.array(z.string()).transform((words) => words.map((w) => w.toLowerCase()));
const hostWordsSchema = z.object({
  fileExtensions: lowerCaseWords,
  ignoredDomains: lowerCaseWords,
  notHostPrefixes: lowerCaseWords,
  notHostWords: lowerCaseWords,
});

/** data/dialog-labels.yaml: the error dialog's "Error code" labels, in several languages. */
const dialogLabelsSchema = z.object({
  errorCode: z.array(z.string().min(2)).min(1),
  extendedCode: z.array(z.string().min(2)).min(1),
});

/** data/symptoms.yaml: symptom id → phrases. */
const symptomsSchema = z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().min(2)).min(1));

/** data/intent-signs.yaml: words that say Remote Desktop, another product, or another topic. */
const signsSchema = z.object({
  rdpWords: z.array(z.string().min(1)),
  remoteWords: z.array(z.string().min(1)),
  otherProducts: z.array(z.string().min(1)),
  remoteSupportWords: z.array(z.string().min(1)),
  rdpWatchTools: z.array(z.string().min(1)),
  workingPhrases: z.array(z.string().min(1)),
  announcementPhrases: z.array(z.string().min(1)),
  sessionApps: z.array(z.string().min(1)),
  requestPhrases: z.array(z.string().min(1)),
  rdpSymptoms: z.array(z.string().min(1)),
  outOfScopeTopics: z.array(z.string().min(1)),
  questionPhrases: z.array(z.string().min(1)),
  wishPhrases: z.array(z.string().min(1)),
  normalityPhrases: z.array(z.string().min(1)),
  configurePhrases: z.array(z.string().min(1)),
  remedyWords: z.array(z.string().min(1)),
  solvedPhrases: z.array(z.string().min(1)),
  sharePhrases: z.array(z.string().min(1)),
  failureWords: z.array(z.string().min(1)),
  questionSafeSymptoms: z.array(z.string().min(1)),
});

/** data/cues.yaml and data/tried.yaml: cue id or fix id → phrases. */
const phraseFileSchema = z.record(z.string().regex(/^[a-z0-9_-]+$/), z.array(z.string().min(2)).min(1));

const FILES = {
  training: ['intents.yaml', trainingSchema],
  hostWords: ['hosts.yaml', hostWordsSchema],
  dialogLabels: ['dialog-labels.yaml', dialogLabelsSchema],
  symptoms: ['symptoms.yaml', symptomsSchema],
  signs: ['intent-signs.yaml', signsSchema],
  cues: ['cues.yaml', phraseFileSchema],
  tried: ['tried.yaml', phraseFileSchema],
} as const;

/** Every phrase file of data/, validated: what the intent modules read. */
export type IntentData = { [K in keyof typeof FILES]: z.output<(typeof FILES)[K][1]> };

/** Reads and validates every phrase file of `dir`; the first problem of a file is a KB_INVALID error. */
export function parseIntentDataFiles(dir: URL): IntentData {
  const entries = Object.entries(FILES).map(([key, [file, schema]]) => [
    key,
    readYamlFile(dir, file, schema as z.ZodType),
  ]);
  return Object.fromEntries(entries) as IntentData;
}
