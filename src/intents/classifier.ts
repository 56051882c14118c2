import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { words as STOPWORDS } from 'natural/lib/natural/util/stopwords.js';
import { INTENTS, type Intent } from '../report/understanding.js';
import { intentData } from './intent-data.js';

/**
 * The intent classifier: natural's naive Bayes trained on the phrase file data/intents.yaml at
 * first use (about 0.1 s). Why Bayes and not natural's logistic regression, and why rules sit on
 * top of it: scripts/eval-intents.ts compares the three on the held-out messages and prints it.
 */

export interface IntentScores {
  intent: Intent;
  /** Probability of `intent`, 0..1. */
  confidence: number;
  probabilities: Record<Intent, number>;
}

export interface IntentClassifier {
  classify(tokens: readonly string[]): IntentScores;
}

export interface TrainingExample {
  text: string;
  intent: Intent;
}

const MAX_TOKENS = 120;
/** Longer "words" are pasted blobs (base64, hashes): one placeholder, never stemmed or cached. */
const MAX_WORD_LENGTH = 40;
const STOP = new Set(STOPWORDS);
// Words natural lists as stop words that carry the intent here ("not working", "can't").
for (const keep of [
  'not',
  'no',
  'can',
  'cannot',
  'again',
  'still',
  'down',
  'off',
  'out',
  'over',
  'very',
  'too',
  'why',
  'how',
  'what',
])
  STOP.delete(keep);
const DIGIT_OR_SEPARATOR = /[\d._'-]/;
const STEM_CACHE = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

/**
 * The classifier's view of a message: lower-case word stems without stop words, codes, numbers
 * and addresses folded into placeholder tokens, plus adjacent-pair bigrams.
 */
export function tokenizeForIntent(text: string): string[] {
  const unigrams: string[] = [];
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}._'-]+/u)) {
    if (unigrams.length >= MAX_TOKENS) break;
    if (word === '') continue;
    if (word.length > MAX_WORD_LENGTH) {
      unigrams.push('zzblob');
      continue;
    }
    // Most words are plain: one test, a stop-word lookup and a cached stem.
    if (!DIGIT_OR_SEPARATOR.test(word)) {
      if (!STOP.has(word)) unigrams.push(stem(word));
      continue;
    }
    const token = word.replace(/^[._'-]+|[._'-]+$/g, '');
    if (token === '') continue;
    if (/^(?:0x|ox)[0-9a-fo]+$/.test(token)) unigrams.push('zzhexcode');
    else if (/^\d+$/.test(token)) unigrams.push(token.length >= 3 ? 'zznumber' : 'zzsmallnumber');
    else if (/^[\d.]+$/.test(token)) unigrams.push('zzdotted');
    else {
      for (const part of token.split(/[._-]+/)) {
        if (part === '') continue;
        if (/^\d+$/.test(part)) unigrams.push('zznumber');
        else if (/\d/.test(part) && /\p{L}/u.test(part))
          unigrams.push(/^[a-z]+\d+$/.test(part) ? stem(part.replace(/\d+$/, '')) : 'zzalnum');
        else if (!STOP.has(part)) unigrams.push(stem(part.replace(/'/g, '')));
      }
      if (token.includes('.') && /\p{L}/u.test(token)) unigrams.push('zzdotname');
    }
  }
  // 👍 / 👎 say as much as a sentence of feedback.
  for (const emoji of text.match(/\p{Extended_Pictographic}/gu) ?? [])
    if (unigrams.length < MAX_TOKENS) unigrams.push(emoji);
  const tokens = [...unigrams];
  for (let i = 1; i < unigrams.length; i++) tokens.push(`${unigrams[i - 1]}_${unigrams[i]}`);
  return tokens;
}

function stem(word: string): string {
  const cached = STEM_CACHE.get(word);
  if (cached !== undefined) return cached;
  const stemmed = /^[a-z]+$/.test(word) ? PorterStemmer.stem(word) : word.replace(/'/g, '');
  if (STEM_CACHE.size < STEM_CACHE_LIMIT) STEM_CACHE.set(word, stemmed);
  return stemmed;
}

/**
 * The trained counts as plain data: what `npm run build` compiles into data/compiled.json, so the
 * run time scores without training (src/intents/intent-data.ts).
 */
export interface BayesModel {
  /** Features in natural's index order. */
  features: string[];
  /** Label → feature index → count of training phrases of that label holding the feature. */
  classFeatures: Record<string, Record<string, number>>;
  classTotals: Record<string, number>;
  totalExamples: number;
  smoothing: number;
}

/**
 * Scores exactly as natural's Bernoulli Bayes does (apparatus `probabilityOfClass`: prior times the
 * smoothed frequency of every present feature), but sparse and in log space. natural builds a
 * dense 0/1 vector over the whole vocabulary per call (an indexOf per feature), and multiplies
 * probabilities so long pastes underflow to 0 for every class.
 */
export function classifierFromModel(model: BayesModel): IntentClassifier {
  const { classFeatures, classTotals, totalExamples, smoothing } = model;
  const featureIndex = new Map(model.features.map((feature, index) => [feature, index]));
  const labels = Object.keys(classFeatures).filter((l): l is Intent =>
    (INTENTS as readonly string[]).includes(l),
  );
  const logPrior = labels.map((label) => Math.log((classTotals[label] ?? 1) / totalExamples));
  // log(count / classTotal) for every feature and class, computed once.
  const logLikelihood = labels.map((label) => {
    const counts = classFeatures[label] ?? {};
    const total = classTotals[label] ?? 1;
    const table = new Float64Array(featureIndex.size);
    for (let i = 0; i < table.length; i++) table[i] = Math.log((counts[i] ?? smoothing) / total);
    return table;
  });
  // Per-call scratch, reused: a stamp per feature marks "already counted in this call".
  const stamp = new Uint32Array(featureIndex.size);
  let call = 0;
  const scores = new Float64Array(labels.length);
  return {
    classify(tokens) {
      call = call === 0xffffffff ? 1 : call + 1;
      if (call === 1) stamp.fill(0);
      for (let c = 0; c < labels.length; c++) scores[c] = logPrior[c] ?? 0;
      for (const token of tokens) {
        const index = featureIndex.get(token);
        if (index === undefined || stamp[index] === call) continue;
        stamp[index] = call;
        for (let c = 0; c < labels.length; c++)
          scores[c] = (scores[c] ?? 0) + (logLikelihood[c]?.[index] ?? 0);
      }
      let max = Number.NEGATIVE_INFINITY;
      for (const score of scores) if (score > max) max = score;
      let sum = 0;
      for (let c = 0; c < labels.length; c++) sum += Math.exp((scores[c] ?? 0) - max);
      const probabilities: Record<Intent, number> = {
        rdp_failure: 0,
        rdp_slow_or_quality: 0,
        help: 0,
        feedback: 0,
        out_of_scope: 0,
      };
      let best = 0;
      for (let c = 0; c < labels.length; c++) {
        const label = labels[c];
        if (label !== undefined) probabilities[label] = Math.exp((scores[c] ?? 0) - max) / sum;
        if ((scores[c] ?? 0) > (scores[best] ?? 0)) best = c;
      }
      const intent = labels[best] ?? 'out_of_scope';
      return { intent, confidence: probabilities[intent], probabilities };
    },
  };
}

/** The training phrases of data/intents.yaml. */
export function loadTrainingExamples(): TrainingExample[] {
  return trainingExamples(intentData().training);
}

/** The phrases of data/intents.yaml as labelled examples. */
export function trainingExamples(training: Record<Intent, readonly string[]>): TrainingExample[] {
  return INTENTS.flatMap((intent) => training[intent].map((text) => ({ text, intent })));
}

let trained: IntentClassifier | undefined;

/** The classifier trained on data/intents.yaml (at build time: the compiled model), once per process. */
export function defaultClassifier(): IntentClassifier {
  trained ??= classifierFromModel(intentData().model);
  return trained;
}
