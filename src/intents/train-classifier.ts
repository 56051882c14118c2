import BayesClassifier from 'natural/lib/natural/classifiers/bayes_classifier.js';
import {
  type BayesModel,
  classifierFromModel,
  type IntentClassifier,
  type TrainingExample,
  tokenizeForIntent,
} from './classifier.js';

// Training, apart from the scorer: it runs at build time (scripts/compile-data.ts), in the tests and
// in the benchmarks; the run time scores with the compiled model and never loads natural's Bayes.

/** Trains natural's BayesClassifier and returns a scorer over the trained counts. */
export function trainNaiveBayes(examples: readonly TrainingExample[]): IntentClassifier {
  return classifierFromModel(trainModel(examples));
}

/** natural's BayesClassifier trained on `examples`, as data. */
export function trainModel(examples: readonly TrainingExample[]): BayesModel {
  const bayes = new BayesClassifier();
  for (const example of examples) bayes.addDocument(tokenizeForIntent(example.text), example.intent);
  // What natural's train() does, minus its indexOf over the whole vocabulary per feature (O(V²)
  // per document, over a second at 400 phrases): the same 0/1 vectors handed to the same
  // apparatus addExample, built from a feature → index map.
  const featureIndex = indexFeatures(bayes);
  const width = featureIndex.size;
  for (const doc of bayes.docs) {
    const vector = new Array<number>(width).fill(0);
    for (const token of doc.text) {
      const index = featureIndex.get(token);
      if (index !== undefined) vector[index] = 1;
    }
    bayes.classifier.addExample(vector, doc.label);
  }
  bayes.lastAdded = bayes.docs.length;
  bayes.classifier.train();
  const { classFeatures, classTotals, totalExamples, smoothing } = bayes.classifier;
  return { features: [...featureIndex.keys()], classFeatures, classTotals, totalExamples, smoothing };
}

/** natural numbers features in `for…in` order of `features`; the same loop gives the same numbers. */
function indexFeatures(bayes: BayesClassifier): Map<string, number> {
  const featureIndex = new Map<string, number>();
  let i = 0;
  for (const feature in bayes.features) featureIndex.set(feature, i++);
  return featureIndex;
}
