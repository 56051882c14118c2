// npm run kb:cases — writes src/fixes/data/cases.yaml, the resolved reports ranking reads as
// nearest neighbours (src/fixes/match-cases.ts), from the DEV split of the evaluation corpus
// (test/fixtures/corpus/threads.jsonl) only: test-split threads stay held out, so
// `npm run eval:answers` on test measures reports the knowledge base has never seen. Rerun it
// after adding threads, then `npm run kb:snapshot`.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadThreads } from '../test/fixtures/corpus/corpus.js';

const target = fileURLToPath(new URL('../src/fixes/data/cases.yaml', import.meta.url));
const cases = loadThreads()
  .filter((thread) => thread.split === 'dev')
  .map((thread) => ({
    fix: thread.fix,
    ...(thread.alsoAccepted.length > 0 && { also: thread.alsoAccepted }),
    text: thread.text,
    source: thread.source,
  }));
const header = [
  "# Resolved reports: the asker's words (paraphrased as a chat message) and the fix the public thread",
  '# says worked. Written by `npm run kb:cases` from the dev split of test/fixtures/corpus/threads.jsonl',
  '# only (the test split stays held out); do not edit by hand. An organisation adds its own resolved',
  '# tickets in a cases.yaml of its extension directory.',
  '',
].join('\n');
writeFileSync(target, header + stringify(cases, { lineWidth: 0 }));
console.log(`wrote ${target} (${cases.length} cases from the dev split)`);
