/** A fix as shown to the user: ordered by `score`, each with the reasons for its place. */

export const SNIPPET_LANGS = ['powershell', 'cmd', 'reg', 'gpo', 'text'] as const;
export type SnippetLang = (typeof SNIPPET_LANGS)[number];

export interface FixStep {
  text: string;
  snippet?: { lang: SnippetLang; code: string };
}

export interface RankedFix {
  id: string;
  title: string;
  score: number;
  reasons: string[];
  steps: FixStep[];
}

/** Feedback counts per code and fix: `stats[code][fixId] = { helped, notHelped }`. */
export type FeedbackStats = Record<string, Record<string, { helped: number; notHelped: number }>>;
