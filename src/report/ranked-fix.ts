/** A fix as shown to the user: ordered by `score`, each with the reasons for its place. */

export const SNIPPET_LANGS = ['powershell', 'cmd', 'reg', 'gpo', 'text'] as const;
export type SnippetLang = (typeof SNIPPET_LANGS)[number];

export interface FixSnippet {
  lang: SnippetLang;
  code: string;
}

export interface FixStep {
  text: string;
  snippet?: FixSnippet;
  /**
   * How to put back what the snippet changed, shown right after it ("Undo: …"). Present on every
   * step whose snippet changes the machine; the knowledge base refuses such a step without one.
   */
  undo?: { text: string; snippet?: FixSnippet };
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
  /** When this fix helps, in users' words (the knowledge base's `when`). */
  when?: string;
}

/** Feedback counts per code and fix: `stats[code][fixId] = { helped, notHelped }`. */
export type FeedbackStats = Record<string, Record<string, { helped: number; notHelped: number }>>;

/** A read-only check shown beside the fixes ("Diagnostics"), placeholders filled from the message. */
export interface Diagnostic {
  id: string;
  /** Where to run it: the user's computer or the server. */
  where: 'client' | 'server';
  text: string;
  snippet: FixSnippet;
}
