// natural's root entry loads its storage back-ends, which print dotenv banners on stdout; intents
// imports only the parts it uses, and these are their shapes.

declare module 'natural/lib/natural/classifiers/bayes_classifier.js' {
  /** natural's classifier wrapper around apparatus' Bernoulli naive Bayes. */
  export default class BayesClassifier {
    constructor(stemmer?: unknown, smoothing?: number);
    /** Present-token counts per feature, in insertion order; the feature index is the key order. */
    features: Record<string, number>;
    docs: { label: string; text: string[] }[];
    lastAdded: number;
    classifier: {
      addExample(observation: number[], label: string): void;
      train(): void;
      classFeatures: Record<string, Record<string, number>>;
      classTotals: Record<string, number>;
      totalExamples: number;
      smoothing: number;
    };
    addDocument(tokens: string[] | string, label: string): void;
    train(): void;
    getClassifications(tokens: string[] | string): { label: string; value: number }[];
  }
}

declare module 'natural/lib/natural/classifiers/logistic_regression_classifier.js' {
  export default class LogisticRegressionClassifier {
    constructor(stemmer?: unknown);
    addDocument(tokens: string[] | string, label: string): void;
    train(): void;
    getClassifications(tokens: string[] | string): { label: string; value: number }[];
  }
}

declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/distance/jaro-winkler_distance.js' {
  export default function JaroWinklerDistance(
    s1: string,
    s2: string,
    options?: { ignoreCase?: boolean },
  ): number;
}

declare module 'natural/lib/natural/util/stopwords.js' {
  export const words: string[];
}
