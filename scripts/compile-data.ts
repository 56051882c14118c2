// `npm run build:data` (part of `npm run build`): parses and validates the shipped YAML data once
// and writes its compiled form (compiled.json in each data folder, git-ignored), which is all the
// run time reads (src/data/compiled-data.ts). A problem in any file fails the build with its file
// and key.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMPILED_FILE } from '../src/data/compiled-data.js';
import { compileKnowledgeBase } from '../src/fixes/load-kb.js';
import { trainingExamples } from '../src/intents/classifier.js';
import type { CompiledIntentData } from '../src/intents/intent-data.js';
import { parseIntentDataFiles } from '../src/intents/intent-data-schema.js';
import { trainModel } from '../src/intents/train-classifier.js';
import { parseWindowsReleases } from '../src/probes/windows-releases-schema.js';

const intentsDir = new URL('../src/intents/data/', import.meta.url);
const phrases = parseIntentDataFiles(intentsDir);
const intents: CompiledIntentData = { ...phrases, model: trainModel(trainingExamples(phrases.training)) };
const probesDir = new URL('../src/probes/data/', import.meta.url);
const outputs: [URL, unknown][] = [
  [intentsDir, intents],
  [new URL('../src/fixes/data/', import.meta.url), compileKnowledgeBase()],
  [probesDir, parseWindowsReleases(probesDir)],
];
for (const [dir, data] of outputs)
  writeFileSync(fileURLToPath(new URL(COMPILED_FILE, dir)), JSON.stringify(data));
