import { readCompiledData } from '../data/compiled-data.js';
import { type CompiledKnowledgeBase, indexKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';

let builtin: KnowledgeBase | undefined;

/**
 * The shipped knowledge base, read once per process from the form `npm run build` compiled and
 * validated (src/fixes/load-kb.ts `compileKnowledgeBase`). An organisation's extension directory
 * goes through load-kb.ts `loadKnowledgeBase`, which validates the YAML at start-up.
 */
export function loadBuiltinKnowledgeBase(): KnowledgeBase {
  if (builtin === undefined) {
    const data = readCompiledData<CompiledKnowledgeBase>(new URL('./data/', import.meta.url));
    builtin = indexKnowledgeBase({ ...data, causes: new Map(data.causes) });
  }
  return builtin;
}
