import type { RankedFix } from '../report/ranked-fix.js';
import type { CodeRole, Understanding } from '../report/understanding.js';
import type { Family } from './kb-schema.js';
import type { CodeEntry, KnowledgeBase } from './knowledge-base.js';
import { rank, snippetValues, toRankedFix } from './rank.js';
import { matchFamilies, ROLE_OF_KIND } from './resolve-code.js';

/** What `kb lookup CODE` answers: the entries found, how the input was read, and the fixes. */
export interface CodeLookup {
  input: string;
  /** The normalised value looked up (`0x904`), or null for a name that matched nothing. */
  value: string | null;
  /** How the input was read: "hex", "decimal", "decimal twin of 0x516", "name". */
  readAs: string;
  entries: CodeEntry[];
  /** Sentences about the input: unknown code, decimal reading, recognised range. */
  notes: string[];
  families: Family[];
  fixes: RankedFix[];
}

const MAX_INPUT_CHARS = 100;

/**
 * Looks a code up the way users type it: `0x904`, `0X00000904`, `2308` (decimal), `904` (hex
 * without prefix, when no decimal reading is known), or a symbolic name (`exDiscReasonServerDeniedConnection`).
 */
export function lookupCode(kb: KnowledgeBase, rawInput: string): CodeLookup {
  const input = rawInput.trim().slice(0, MAX_INPUT_CHARS);
  const notes: string[] = [];
  const named =
    /^[a-z_][a-z0-9_]*$/i.test(input) && !/^0x/i.test(input) ? kb.byName.get(input.toLowerCase()) : undefined;
  if (named) return finish(kb, input, named.value ?? null, 'name', [named], notes, []);

  const candidates = readings(input);
  if (candidates.length === 0) {
    notes.push(`"${input}" is neither a code (0x… hex or decimal) nor a known code name.`);
    return finish(kb, input, null, 'nothing', [], notes, []);
  }
  for (const { value, readAs } of candidates) {
    const entries = kb.byValue.get(value);
    if (entries && entries.length > 0) return finish(kb, input, value, readAs, [...entries], notes, []);
  }
  const first = candidates[0] as { value: string; readAs: string };
  notes.push(`${first.value} is not in the knowledge base.`);
  const digits = first.value.slice(2);
  if (first.readAs === 'hex' && /^\d+$/.test(digits)) {
    const twin = `0x${Number(digits).toString(16)}`;
    const entries = kb.byValue.get(twin);
    if (entries && entries.length > 0) {
      notes.push(
        `Read as decimal ${Number(digits)} it is ${twin}: probably a decimal code with a "0x" typed in front.`,
      );
      return finish(kb, input, twin, `decimal twin of ${first.value}`, [...entries], notes, []);
    }
  }
  const families = matchFamilies(kb.rules.families, first.value, 'unknown');
  for (const family of families) notes.push(`It is in the ${family.meaning}.`);
  if (families.length === 0) notes.push('Its range is not one we recognise.');
  return finish(kb, input, first.value, first.readAs, [], notes, families);
}

function readings(input: string): { value: string; readAs: string }[] {
  const text = input.replace(/[\s_]/g, '');
  if (/^0x[0-9a-f]{1,8}$/i.test(text))
    return [{ value: hex(Number.parseInt(text.slice(2), 16)), readAs: 'hex' }];
  if (/^\d{1,10}$/.test(text)) {
    const decimal = Number(text);
    const out = decimal <= 0xffff_ffff ? [{ value: hex(decimal), readAs: 'decimal' }] : [];
    // "904" is more often hex without its prefix than decimal 904 (0x388): try both, decimal first.
    if (text.length <= 8) out.push({ value: hex(Number.parseInt(text, 16)), readAs: 'hex without 0x' });
    return out;
  }
  if (/^[0-9a-f]{1,8}$/i.test(text))
    return [{ value: hex(Number.parseInt(text, 16)), readAs: 'hex without 0x' }];
  return [];
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function finish(
  kb: KnowledgeBase,
  input: string,
  value: string | null,
  readAs: string,
  entries: CodeEntry[],
  notes: string[],
  families: Family[],
): CodeLookup {
  const primary = entries[0];
  const role: CodeRole = (primary && ROLE_OF_KIND[primary.kind]) ?? 'unknown';
  const understanding: Understanding = {
    intent: 'rdp_failure',
    confidence: 1,
    codes:
      value === null && primary?.name === undefined
        ? []
        : [{ value: value ?? '0x0', role, ...(primary?.name !== undefined && { name: primary.name }) }],
    hosts: [],
    gateway: null,
    symptoms: [],
  };
  const fixes = rank(understanding, [], {}, kb);
  // Fixes listed for the code itself (the 0x904 guide) are always shown, after the ranked ones.
  for (const fix of value === null ? [] : (kb.fixesByCode.get(value) ?? [])) {
    if (fixes.some((f) => f.id === fix.id)) continue;
    fixes.push(toRankedFix(fix, 0, [`Listed for ${value}`], snippetValues(understanding)));
  }
  return { input, value, readAs, entries, notes, families, fixes };
}
