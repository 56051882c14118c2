/**
 * npm run eval:answers — is the fix that resolved a real thread among our first answers?
 *
 * Reads test/fixtures/corpus/threads.jsonl (resolved public threads, the asker's words as a chat
 * message, the fix the thread says worked), understands each message and ranks the catalogue
 * with nothing probed — the answer a user gets before any probe finishes, or when the host may not
 * be probed. Prints top-1 / top-3 / top-5 of the resolving fix (or an equivalent the line accepts)
 * on the test split. `--split dev` to tune (never tune on test), `--split all`; `--dev --misses`
 * lists each dev thread whose resolving fix is not in the top 3, with its source, where the fix
 * ranked and the reasons of the fixes above it. Any other run lists its misses by id and fix only.
 * Bar (issue 17): top-3 ≥ 0.90 on the test split. Exit 1 below it.
 *
 * The knowledge base's resolved reports (src/fixes/data/cases.yaml) come from the dev split
 * (npm run kb:cases): each thread is ranked with its own report left out (leave-one-out), so a dev
 * figure never counts a thread finding itself, and test threads are never among the reports.
 */

import { loadBuiltinKnowledgeBase } from '../src/fixes/builtin-kb.js';
import { createCodeBook } from '../src/fixes/code-book.js';
import type { KnowledgeBase } from '../src/fixes/knowledge-base.js';
import { rank } from '../src/fixes/rank.js';
import { understand } from '../src/intents/understand.js';
import type { RankedFix } from '../src/report/ranked-fix.js';
import { loadThreads, missesArg, sourceKey, splitArg, type Thread } from '../test/fixtures/corpus/corpus.js';

const BAR_TOP3 = 0.9;
const split = splitArg(process.argv);
const listMisses = missesArg(process.argv, split);
const kb = loadBuiltinKnowledgeBase();
const codeBook = createCodeBook(kb);
const all = loadThreads();
const threads = split === 'all' ? all : all.filter((t) => t.split === split);

const unknownFixes = [...new Set(all.flatMap((t) => [t.fix, ...t.alsoAccepted]))].filter(
  (id) => !kb.fixById.has(id),
);
if (unknownFixes.length > 0) {
  process.stderr.write(
    `eval:answers: corpus names fixes the knowledge base lacks: ${unknownFixes.join(', ')}\n`,
  );
  process.exit(2);
}

const heldOut = kb.cases.filter((entry) =>
  threads.some((t) => sourceKey(t.source) === sourceKey(entry.source)),
);
if (split === 'test' && heldOut.length > 0) {
  process.stderr.write(`eval:answers: ${heldOut.length} test threads are among the knowledge base's cases\n`);
  process.exit(2);
}
/** The knowledge base without this thread's own report (the fixes' text index is shared). */
const withoutOwnCase = (thread: Thread): KnowledgeBase => {
  const key = sourceKey(thread.source);
  if (!kb.cases.some((entry) => sourceKey(entry.source) === key)) return kb;
  return { ...kb, cases: kb.cases.filter((entry) => sourceKey(entry.source) !== key) };
};

interface Outcome {
  thread: Thread;
  position: number | null;
  top: RankedFix[];
}

const started = performance.now();
const outcomes: Outcome[] = threads.map((thread) => {
  const understanding = understand(thread.text, { codeBook });
  const ranked = rank(understanding, [], {}, withoutOwnCase(thread));
  const accepted = new Set([thread.fix, ...thread.alsoAccepted]);
  const index = ranked.findIndex((fix) => accepted.has(fix.id));
  return { thread, position: index < 0 ? null : index + 1, top: ranked.slice(0, index < 0 ? 3 : index + 1) };
});
const ms = performance.now() - started;

const within = (n: number) =>
  outcomes.filter((o) => o.position !== null && o.position <= n).length / outcomes.length;
const lines = [
  `Resolving fix among our answers, nothing probed: ${threads.length} threads (${split} split; corpus ${all.length}, dev ${all.filter((t) => t.split === 'dev').length} / test ${all.filter((t) => t.split === 'test').length}), ${(ms / Math.max(1, threads.length)).toFixed(2)} ms a message`,
  `  (${kb.cases.length} resolved reports in the knowledge base; ${heldOut.length} of them left out, each for its own thread)`,
  '',
  `  top-1  ${within(1).toFixed(3)}`,
  `  top-3  ${within(3).toFixed(3)}   bar ≥ ${BAR_TOP3}  ${within(3) >= BAR_TOP3 ? 'PASS' : 'FAIL'}`,
  `  top-5  ${within(5).toFixed(3)}`,
  `  in the answer at all  ${(outcomes.filter((o) => o.position !== null).length / outcomes.length).toFixed(3)}`,
];
const misses = outcomes.filter((o) => o.position === null || o.position > 3);
if (listMisses) {
  lines.push('', `dev misses (resolving fix not in the top 3): ${misses.length}`);
  for (const { thread, position, top } of misses) {
    const wanted = [thread.fix, ...thread.alsoAccepted].join(' | ');
    lines.push(
      `  ${thread.id}  want ${wanted} → ${position === null ? 'absent' : `#${position}`}`,
      `      ${thread.text.replace(/\s+/g, ' ').slice(0, 200)}`,
      `      ${thread.source}`,
      ...top.map(
        (fix, at) =>
          `      ${String(at + 1).padStart(2)}. ${fix.id}: ${fix.reasons.join('; ').slice(0, 160)}`,
      ),
    );
  }
} else if (misses.length > 0) {
  // The issue asks the report to list the misses of the split it ran on: ids and fixes only, to
  // read what kind of thread is missed. Never a reason to write a rule for one of them.
  lines.push('', `misses (resolving fix not in the top 3): ${misses.length}`);
  for (const { thread, position, top } of misses)
    lines.push(
      `  ${thread.id}  want ${[thread.fix, ...thread.alsoAccepted].join(' | ')} → ${position === null ? 'absent' : `#${position}`}; got ${
        top
          .slice(0, 3)
          .map((fix) => fix.id)
          .join(', ') || '(none)'
      }`,
    );
}
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = within(3) >= BAR_TOP3 ? 0 : 1;
