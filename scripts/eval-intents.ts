/**
 * npm run eval:intents — how well understand() reads real messages nobody on the team wrote:
 * test/fixtures/corpus (resolved public threads + helpdesk-channel lines, every line citing its
 * source, split by source). The classifier trains on src/intents/data/intents.yaml only.
 *
 * Prints, on the test split (`--split dev` to tune, `--split all`): out-of-scope recall and
 * precision (near-misses, other IT questions and chatter told apart from RDP problems), RDP
 * problems recognised, and codes read exactly (value and role) on the RDP problems.
 * `--dev --misses` lists the mistakes of the dev split (never the test split's). Bars (issue 17):
 * out-of-scope recall ≥ 0.95 at precision ≥ 0.95, codes exact ≥ 0.98. Exit 1 below a bar.
 */
import { createCodeBook } from '../src/fixes/code-book.js';
import { understand } from '../src/intents/understand.js';
import type { Understanding } from '../src/report/understanding.js';
import { loadChannel, loadThreads, missesArg, splitArg } from '../test/fixtures/corpus/corpus.js';
import { type Expected, expectedOf } from '../test/fixtures/corpus/expected.js';

const split = splitArg(process.argv);
const codeBook = createCodeBook();
const everything = [...loadThreads(), ...loadChannel()].map(expectedOf);
const lines = split === 'all' ? everything : everything.filter((e) => e.split === split);

const started = performance.now();
const read = lines.map((expected) => ({ expected, understanding: understand(expected.text, { codeBook }) }));
const ms = performance.now() - started;

// Told apart from RDP problems: out of scope, or a help request / thanks (the bot answers those as
// such and never triages them). `strictly out_of_scope` is printed beside it.
const isOut = (u: Understanding) => u.intent !== 'rdp_failure' && u.intent !== 'rdp_slow_or_quality';
const isProblem = (u: Understanding) => u.intent === 'rdp_failure' || u.intent === 'rdp_slow_or_quality';
// rdp_other ("how do I enable RDP", "works again, thanks") is neither side of the out-of-scope measure.
const judged = read.filter(({ expected }) => expected.scope !== 'rdp_other');
const outLines = judged.filter(({ expected }) => expected.scope === 'out_of_scope');
const calledOut = judged.filter(({ understanding }) => isOut(understanding));
const oosRecall =
  outLines.filter(({ understanding }) => isOut(understanding)).length / Math.max(1, outLines.length);
const oosPrecision =
  calledOut.filter(({ expected }) => expected.scope === 'out_of_scope').length /
  Math.max(1, calledOut.length);
const strictOut =
  outLines.filter(({ understanding }) => understanding.intent === 'out_of_scope').length /
  Math.max(1, outLines.length);
const problems = read.filter(({ expected }) => expected.scope === 'rdp_problem');
const problemRecall =
  problems.filter(({ understanding }) => isProblem(understanding)).length / Math.max(1, problems.length);
const codesKey = (codes: { value: string; role: string }[]) =>
  JSON.stringify(codes.map((c) => `${c.value}:${c.role}`).sort());
const sameCodes = (e: Expected, u: Understanding) => codesKey(e.codes) === codesKey(u.codes);
const codesExact =
  problems.filter(({ expected, understanding }) => sameCodes(expected, understanding)).length /
  Math.max(1, problems.length);
const valuesKey = (codes: { value: string }[]) => JSON.stringify(codes.map((c) => c.value).sort());
const valuesExact =
  problems.filter(
    ({ expected, understanding }) => valuesKey(expected.codes) === valuesKey(understanding.codes),
  ).length / Math.max(1, problems.length);
const otherRead = read.filter(({ expected }) => expected.scope === 'rdp_other');

const bars: [string, number, number | null][] = [
  ['out-of-scope recall (not taken for RDP)', oosRecall, 0.95],
  ['out-of-scope precision', oosPrecision, 0.95],
  ['codes exact (value and role)', codesExact, 0.98],
  ['  of them read as out_of_scope', strictOut, null],
  ['code values exact', valuesExact, null],
  ['RDP problems read as RDP problems', problemRecall, null],
];
const out = [
  `understand() on ${lines.length} real messages (${split} split; corpus ${everything.length}: ${outLines.length} out of scope, ${problems.length} RDP problems, ${otherRead.length} other RDP talk here), ${(ms / Math.max(1, lines.length)).toFixed(2)} ms a message`,
  '',
  ...bars.map(
    ([name, value, bar]) =>
      `  ${name.padEnd(42)} ${value.toFixed(3)}${bar === null ? '' : `   bar ≥ ${bar}  ${value >= bar ? 'PASS' : 'FAIL'}`}`,
  ),
  `  other RDP talk read as: ${summarise(otherRead.map(({ understanding }) => understanding.intent))}`,
];
if (missesArg(process.argv, split)) {
  out.push('', 'mistakes:');
  for (const { expected, understanding: u } of read) {
    const problems = [
      expected.scope === 'out_of_scope' && !isOut(u) && `taken for ${u.intent} (${u.confidence.toFixed(2)})`,
      expected.scope === 'rdp_problem' &&
        !isProblem(u) &&
        `RDP problem read as ${u.intent} (${u.confidence.toFixed(2)})`,
      expected.scope === 'rdp_problem' &&
        !sameCodes(expected, u) &&
        `codes ${codesKey(u.codes)} ≠ ${codesKey(expected.codes)}`,
    ].filter(Boolean);
    if (problems.length > 0)
      out.push(
        `  ${expected.id}: ${problems.join('; ')}\n      ${expected.text.replace(/\s+/g, ' ').slice(0, 140)}`,
      );
  }
}
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode = bars.every(([, value, bar]) => bar === null || value >= bar) ? 0 : 1;

function summarise(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ') || '(none)';
}
