import { CODE_KINDS, type CodeKind } from './code-kinds.js';
import type { CaseData, FixData, Rules } from './kb-schema.js';

/** One code of the catalogue. The same value may exist under several kinds (0x7 extended and errorInfo). */
export interface CodeEntry {
  value?: string;
  kind: CodeKind;
  name?: string;
  aliases: string[];
  meaning: string;
  causes: string[];
  /** Scales the code's prior (0x0 "no info" is 0.1). */
  weight: number;
  source: string;
  confidence: string;
  origin: 'builtin' | 'organisation';
}

export interface Fix extends FixData {
  origin: 'builtin' | 'organisation';
}

/** A resolved report (cases.yaml): the asker's words and the fix that worked. */
export type Case = CaseData;

/** The loaded, cross-checked knowledge base with its look-up indexes. Immutable after creation. */
export interface KnowledgeBase {
  codes: readonly CodeEntry[];
  causes: ReadonlyMap<string, string>;
  fixes: readonly Fix[];
  rules: Rules;
  /** Resolved reports, the asker's words and the fix that worked (cases.yaml). */
  cases: readonly Case[];
  byValue: ReadonlyMap<string, readonly CodeEntry[]>;
  /** Lower-case symbolic name or alias → entry. */
  byName: ReadonlyMap<string, CodeEntry>;
  fixById: ReadonlyMap<string, Fix>;
  /** Position of each fix in the catalogue: the deterministic tie-break. */
  fixOrder: ReadonlyMap<string, number>;
  /** Cause id → fixes addressing it, with their weight. */
  fixesByCause: ReadonlyMap<string, readonly { fix: Fix; weight: number }[]>;
  /** Code value → fixes that list it directly. */
  fixesByCode: ReadonlyMap<string, readonly Fix[]>;
  /** Symptom rules with their compiled patterns. */
  symptomPatterns: readonly { rule: Rules['symptoms'][number]; pattern: RegExp }[];
}

/** The knowledge base as data (what `npm run build` compiles): codes, causes, fixes, rules. */
export interface CompiledKnowledgeBase {
  codes: CodeEntry[];
  causes: [string, string][];
  fixes: Fix[];
  rules: Rules;
  cases: Case[];
}

export function indexKnowledgeBase(parts: {
  codes: CodeEntry[];
  causes: Map<string, string>;
  fixes: Fix[];
  rules: Rules;
  cases?: Case[];
}): KnowledgeBase {
  const byValue = new Map<string, CodeEntry[]>();
  const byName = new Map<string, CodeEntry>();
  // Same value under several kinds: list them in a fixed order (disconnect first), whatever the file order.
  const ordered = [...parts.codes].sort((a, b) => CODE_KINDS.indexOf(a.kind) - CODE_KINDS.indexOf(b.kind));
  for (const entry of ordered) {
    if (entry.value !== undefined) pushTo(byValue, entry.value, entry);
    for (const name of [entry.name, ...entry.aliases]) {
      if (name !== undefined && !byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), entry);
    }
  }
  const fixesByCause = new Map<string, { fix: Fix; weight: number }[]>();
  const fixesByCode = new Map<string, Fix[]>();
  const fixOrder = new Map<string, number>();
  parts.fixes.forEach((fix, index) => {
    fixOrder.set(fix.id, index);
    for (const [cause, weight] of Object.entries(fix.causes)) pushTo(fixesByCause, cause, { fix, weight });
    for (const code of fix.codes) pushTo(fixesByCode, code, fix);
  });
  return {
    ...parts,
    cases: parts.cases ?? [],
    byValue,
    byName,
    fixById: new Map(parts.fixes.map((fix) => [fix.id, fix])),
    fixOrder,
    fixesByCause,
    fixesByCode,
    symptomPatterns: parts.rules.symptoms.map((rule) => ({ rule, pattern: new RegExp(rule.match, 'i') })),
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
