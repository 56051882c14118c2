import { readCompiledData } from '../data/compiled-data.js';
import type { BayesModel } from './classifier.js';
import type { IntentData } from './intent-data-schema.js';

/** The phrase files, plus the intent classifier trained on data/intents.yaml at build time. */
export type CompiledIntentData = IntentData & { model: BayesModel };

let loaded: CompiledIntentData | undefined;

/**
 * The phrase files of data/ in their compiled form, read on first use (not at import) and kept
 * for the process. Validation happened at build time (src/intents/intent-data-schema.ts).
 */
export function intentData(): CompiledIntentData {
  loaded ??= readCompiledData<CompiledIntentData>(new URL('./data/', import.meta.url));
  return loaded;
}
