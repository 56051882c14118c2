/**
 * npm run eval:watch — the watched-channel policy on real messages nobody on the team wrote:
 * test/fixtures/corpus (helpdesk-channel lines — RDP problems, near-misses such as VNC, Citrix or
 * SMB, other IT questions, chatter — and the opening messages of resolved RDP threads), every
 * line citing its public source, split by source. Each is taken as a new top-level message
 * nobody has answered: should the bot answer it unasked? Yes for RDP problems (failures and
 * quality problems), no for everything else.
 *
 * Sweeps the confidence threshold on the dev split and prints precision and recall on the test
 * split (`--split dev|all` for the others) at the shipped default (config watch.minConfidence).
 * `--dev --misses` lists each dev mistake — answered when it should not (false positive) or
 * missed (false negative) — with the policy's reason and the line's source, to tune on; the
 * test split's mistakes are never listed. Bars (issue 17): precision ≥ 0.98, recall ≥ 0.85.
 * Exit 1 below a bar.
 */
import { decideUnasked } from '../src/bot/watch/policy.js';
import { DEFAULT_WATCH_MIN_CONFIDENCE } from '../src/config/watch-defaults.js';
import { createCodeBook } from '../src/fixes/code-book.js';
import { understand } from '../src/intents/understand.js';
import { loadChannel, loadThreads, missesArg, splitArg } from '../test/fixtures/corpus/corpus.js';
import { expectedOf } from '../test/fixtures/corpus/expected.js';

const BARS = { precision: 0.98, recall: 0.85 };
const split = splitArg(process.argv);
const listMisses = missesArg(process.argv, split);
const codeBook = createCodeBook();
const everything = [...loadThreads(), ...loadChannel()].map((line) => {
  const expected = expectedOf(line);
  return { expected, source: line.source, understanding: understand(expected.text, { codeBook }) };
});
type Row = (typeof everything)[number];
const rows = split === 'all' ? everything : everything.filter((r) => r.expected.split === split);
const dev = everything.filter((r) => r.expected.split === 'dev');
const context = { topLevel: true, answeredByOthers: false };

function score(subset: Row[], threshold: number) {
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  const wrong: string[] = [];
  for (const { expected, source, understanding } of subset) {
    const decision = decideUnasked(understanding, context, threshold);
    const wanted = expected.scope === 'rdp_problem';
    if (decision.answer === wanted) {
      if (wanted) truePositive += 1;
      continue;
    }
    if (decision.answer) falsePositive += 1;
    else falseNegative += 1;
    const read = `${understanding.intent} ${understanding.confidence.toFixed(2)}`;
    wrong.push(
      `  ${decision.answer ? 'answered' : 'missed  '}  ${expected.id} [${expected.scope}] ${read}: ${decision.reason}`,
      `      ${expected.text.replace(/\s+/g, ' ').slice(0, 200)}`,
      `      ${source}`,
    );
  }
  const answered = truePositive + falsePositive;
  return {
    precision: answered === 0 ? 1 : truePositive / answered,
    recall: truePositive / Math.max(1, truePositive + falseNegative),
    answered,
    wanted: truePositive + falseNegative,
    wrong,
  };
}

const lines = [
  `Watched channel, unasked answers: ${rows.length} messages (${split} split; ${rows.filter((r) => r.expected.scope === 'rdp_problem').length} RDP problems to answer)`,
  '',
  'threshold on dev  precision  recall',
];
for (const threshold of [0.5, 0.6, 0.7, 0.8, 0.9]) {
  const result = score(dev, threshold);
  lines.push(
    `${threshold.toFixed(2).padStart(16)}  ${result.precision.toFixed(3).padStart(9)} ${result.recall.toFixed(3).padStart(7)}`,
  );
}
const result = score(rows, DEFAULT_WATCH_MIN_CONFIDENCE);
lines.push(
  '',
  `at the shipped default ${DEFAULT_WATCH_MIN_CONFIDENCE} (config watch.minConfidence), ${split} split: answered ${result.answered}, should answer ${result.wanted}`,
  `  ${result.precision >= BARS.precision ? 'PASS' : 'FAIL'}  precision ${result.precision.toFixed(3)}   bar ≥ ${BARS.precision}`,
  `  ${result.recall >= BARS.recall ? 'PASS' : 'FAIL'}  recall    ${result.recall.toFixed(3)}   bar ≥ ${BARS.recall}`,
);
if (listMisses)
  lines.push(
    '',
    `dev mistakes (${result.wrong.length / 3}): answered = false positive, missed = false negative`,
    ...result.wrong,
  );
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = result.precision >= BARS.precision && result.recall >= BARS.recall ? 0 : 1;
