/** A fix as shown to the user: ordered by `score`, each with the reasons for its place. */

export const SNIPPET_LANGS = ['powershell', 'cmd', 'reg', 'gpo', 'text'] as const;
export type SnippetLang = (typeof SNIPPET_LANGS)[number];

export interface FixStep {
  text: string;
  snippet?: { lang: SnippetLang; code: string };
}

export const FIX_AUDIENCES = ['user', 'helpdesk', 'server_admin', 'network'] as const;
export type FixAudience = (typeof FIX_AUDIENCES)[number];
export const FIX_RISKS = ['low', 'medium', 'high'] as const;
export type FixRisk = (typeof FIX_RISKS)[number];

export interface RankedFix {
  id: string;
  title: string;
  score: number;
  reasons: string[];
  /** The last step is the verification ("Verify: …"). */
  steps: FixStep[];
  /** Who can carry the fix out. */
  audience?: FixAudience;
  /** How much can go wrong (a temporary security downgrade is `high`). */
  risk?: FixRisk;
}

/** Feedback counts per code and fix: `stats[code][fixId] = { helped, notHelped }`. */
export type FeedbackStats = Record<string, Record<string, { helped: number; notHelped: number }>>;
