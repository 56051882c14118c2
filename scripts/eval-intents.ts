// npm run eval:intents — how well understand() reads the labelled messages of
// test/fixtures/messages.jsonl, on the held-out "test" split (the classifier trains on
// src/intents/data/intents.yaml only; the "dev" split chooses the out-of-scope threshold).
// Compares natural's NaiveBayes, natural's LogisticRegression and the hybrid (Bayes + rules) and
// prints the figures next to the bars of issue 4.
import { readFileSync } from 'node:fs';
import LogisticRegressionClassifier from 'natural/lib/natural/classifiers/logistic_regression_classifier.js';
import { z } from 'zod';
import { createCodeBook } from '../src/fixes/code-book.js';
import {
  type IntentClassifier,
  loadTrainingExamples,
  tokenizeForIntent,
  trainNaiveBayes,
} from '../src/intents/classifier.js';
import type { CodeBook } from '../src/intents/code-book.js';
import { OUT_OF_SCOPE_THRESHOLD, understand } from '../src/intents/understand.js';
import { INTENTS, type Intent } from '../src/intents/understanding.js';
import { createFixtureCodeBook } from '../test/intents/fixture-code-book.js';

const messageSchema = z.object({
  id: z.string(),
  split: z.enum(['dev', 'test']),
  text: z.string(),
  intent: z.enum(INTENTS),
  codes: z.array(z.object({ value: z.string(), role: z.string() })),
  hosts: z.array(z.string()),
  gateway: z.string().nullable(),
  source: z.url(),
});
type Message = z.infer<typeof messageSchema>;

/** The hosts the evaluation pretends are configured (for "did you mean"). */
export const EVAL_INVENTORY = [
  { name: 'srv-fin-02', aliases: ['fin2'] },
  { name: 'srv-fin-03', aliases: [] },
  { name: 'build-agent-7', aliases: [] },
  { name: 'build-agent-8', aliases: [] },
  { name: 'dc01', aliases: [] },
  { name: 'ws042', aliases: [] },
];

const messages = readFileSync(new URL('../test/fixtures/messages.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line, i) => {
    const parsed = messageSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`messages.jsonl line ${i + 1}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  });
const dev = messages.filter((m) => m.split === 'dev');
const test = messages.filter((m) => m.split === 'test');
// The knowledge base's code book (src/fixes); --fixture-code-book uses the test fixture built from
// the rdp-facts.md tables instead.
const useFixture = process.argv.includes('--fixture-code-book');
const codeBook: CodeBook = useFixture ? createFixtureCodeBook() : createCodeBook();
const examples = loadTrainingExamples();

let t0 = performance.now();
const bayes = trainNaiveBayes(examples);
const bayesMs = performance.now() - t0;

// natural's logistic regression runs dense gradient descent over every feature (sylvester
// matrices): on the whole vocabulary it trains for minutes, so it gets the 400 most frequent
// unigrams.
t0 = performance.now();
const logistic = new LogisticRegressionClassifier();
const frequency = new Map<string, number>();
for (const example of examples)
  for (const token of new Set(unigrams(tokenizeForIntent(example.text))))
    frequency.set(token, (frequency.get(token) ?? 0) + 1);
const vocabulary = new Set(
  [...frequency.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 400)
    .map(([token]) => token),
);
const logisticTokens = (tokens: readonly string[]) => unigrams([...tokens]).filter((t) => vocabulary.has(t));
for (const example of examples)
  logistic.addDocument(logisticTokens(tokenizeForIntent(example.text)), example.intent);
logistic.train();
const logisticMs = performance.now() - t0;
const logisticClassifier: IntentClassifier = {
  classify(tokens) {
    const ranked = logistic.getClassifications(logisticTokens(tokens));
    const total = ranked.reduce((sum, r) => sum + r.value, 0) || 1;
    const probabilities = Object.fromEntries(INTENTS.map((i) => [i, 0])) as Record<Intent, number>;
    for (const r of ranked) probabilities[r.label as Intent] = r.value / total;
    const intent = (ranked[0]?.label ?? 'out_of_scope') as Intent;
    return { intent, confidence: probabilities[intent], probabilities };
  },
};

const options = { codeBook, inventory: EVAL_INVENTORY };
const predictors: Record<string, (m: Message, threshold?: number) => Intent> = {
  'naive Bayes (natural)': (m) => bayes.classify(tokenizeForIntent(m.text)).intent,
  'logistic regression (natural)': (m) => logisticClassifier.classify(tokenizeForIntent(m.text)).intent,
  'hybrid: Bayes + rules': (m, threshold) =>
    understand(m.text, {
      ...options,
      classifier: bayes,
      ...(threshold !== undefined && { outOfScopeThreshold: threshold }),
    }).intent,
};

console.log(
  `messages: ${messages.length} (dev ${dev.length}, test ${test.length}); training phrases: ${examples.length}`,
);
console.log(
  `training: naive Bayes ${bayesMs.toFixed(0)} ms, logistic regression ${logisticMs.toFixed(0)} ms\n`,
);

console.log('out-of-scope threshold on the dev split (hybrid):');
let bestThreshold = OUT_OF_SCOPE_THRESHOLD;
let bestAccuracy = -1;
for (const threshold of [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.01]) {
  const accuracy = intentAccuracy(
    dev,
    (m) => predictors['hybrid: Bayes + rules']?.(m, threshold) ?? 'out_of_scope',
  );
  console.log(`  ${threshold.toFixed(2)}  accuracy ${accuracy.toFixed(3)}`);
  if (accuracy > bestAccuracy) [bestAccuracy, bestThreshold] = [accuracy, threshold];
}
console.log(`  best ${bestThreshold} (configured OUT_OF_SCOPE_THRESHOLD = ${OUT_OF_SCOPE_THRESHOLD})\n`);

console.log('intent on the test split:');
for (const [name, predict] of Object.entries(predictors)) {
  const { accuracy, precision, recall } = intentScores(test, predict);
  console.log(
    `  ${name.padEnd(32)} accuracy ${accuracy.toFixed(3)}  out-of-scope precision ${precision.toFixed(3)} recall ${recall.toFixed(3)}`,
  );
}

const understood = test.map((m) => ({ m, u: understand(m.text, options) }));
const hybrid = intentScores(test, (m) => understood.find((x) => x.m === m)?.u.intent ?? 'out_of_scope');
const codesExact = understood.filter(({ m, u }) => sameCodes(m, u.codes)).length / understood.length;
let tp = 0;
let fp = 0;
let fn = 0;
for (const { m, u } of understood) {
  const expected = new Set(m.hosts.map((h) => h.toLowerCase()));
  const got = new Set(u.hosts.map((h) => h.name.toLowerCase()));
  for (const h of got) expected.has(h) ? tp++ : fp++;
  for (const h of expected) if (!got.has(h)) fn++;
}
const hostPrecision = tp / (tp + fp || 1);
const hostRecall = tp / (tp + fn || 1);
const hostF1 = (2 * hostPrecision * hostRecall) / (hostPrecision + hostRecall || 1);
const gatewayAccuracy =
  understood.filter(({ m, u }) => (m.gateway ?? null) === u.gateway).length / understood.length;

console.log(
  `\nunderstand() on the test split (hybrid, ${useFixture ? 'fixture' : 'knowledge-base'} code book):`,
);
const bars: [string, number, number][] = [
  ['intent accuracy', hybrid.accuracy, 0.95],
  ['out-of-scope recall', hybrid.recall, 0.95],
  ['out-of-scope precision', hybrid.precision, 0.95],
  ['codes exact match', codesExact, 0.98],
  ['hosts F1', hostF1, 0.95],
];
for (const [name, value, bar] of bars)
  console.log(`  ${name.padEnd(24)} ${value.toFixed(3)}  (bar ${bar})  ${value >= bar ? 'PASS' : 'FAIL'}`);
console.log(`  ${'gateway accuracy'.padEnd(24)} ${gatewayAccuracy.toFixed(3)}`);
console.log(`  hosts precision ${hostPrecision.toFixed(3)} recall ${hostRecall.toFixed(3)}`);

// --errors lists the dev split's misreadings (tune on dev only); --errors=test the test split's.
const errorsArg = process.argv.find((a) => a.startsWith('--errors'));
if (errorsArg) {
  const list =
    errorsArg === '--errors=test' ? understood : dev.map((m) => ({ m, u: understand(m.text, options) }));
  for (const { m, u } of list) {
    const problems = [
      u.intent !== m.intent && `intent ${u.intent} ≠ ${m.intent}`,
      !sameCodes(m, u.codes) &&
        `codes ${JSON.stringify(u.codes.map((c) => `${c.value}:${c.role}`))} ≠ ${JSON.stringify(m.codes.map((c) => `${c.value}:${c.role}`))}`,
      JSON.stringify(u.hosts.map((h) => h.name).sort()) !== JSON.stringify([...m.hosts].sort()) &&
        `hosts ${JSON.stringify(u.hosts.map((h) => h.name))} ≠ ${JSON.stringify(m.hosts)}`,
      (m.gateway ?? null) !== u.gateway && `gateway ${u.gateway} ≠ ${m.gateway}`,
    ].filter(Boolean);
    if (problems.length > 0)
      console.log(`\n${m.id}: ${m.text.slice(0, 120).replace(/\n/g, ' ⏎ ')}\n  ${problems.join('\n  ')}`);
  }
}
process.exitCode = bars.every(([, value, bar]) => value >= bar) ? 0 : 1;

function unigrams(tokens: string[]): string[] {
  return tokens.filter((t) => !t.includes('_'));
}

function sameCodes(m: Message, codes: { value: string; role: string }[]): boolean {
  const key = (list: { value: string; role: string }[]) =>
    JSON.stringify(list.map((c) => `${c.value}:${c.role}`).sort());
  return key(m.codes) === key(codes);
}

function intentAccuracy(list: Message[], predict: (m: Message) => Intent): number {
  return list.filter((m) => predict(m) === m.intent).length / list.length;
}

function intentScores(list: Message[], predict: (m: Message) => Intent) {
  let correct = 0;
  let oosTp = 0;
  let oosFp = 0;
  let oosFn = 0;
  for (const m of list) {
    const got = predict(m);
    if (got === m.intent) correct++;
    if (got === 'out_of_scope' && m.intent === 'out_of_scope') oosTp++;
    if (got === 'out_of_scope' && m.intent !== 'out_of_scope') oosFp++;
    if (got !== 'out_of_scope' && m.intent === 'out_of_scope') oosFn++;
  }
  return {
    accuracy: correct / list.length,
    precision: oosTp / (oosTp + oosFp || 1),
    recall: oosTp / (oosTp + oosFn || 1),
  };
}
