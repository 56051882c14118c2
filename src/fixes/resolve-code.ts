import type { CodeRole, UnderstoodCode } from '../report/understanding.js';
import type { Family } from './kb-schema.js';
import type { CodeEntry, KnowledgeBase } from './knowledge-base.js';

/** What the knowledge base makes of one code: a known entry, a decimal reading, or a family. */
export interface ResolvedCode {
  value: string;
  role: CodeRole;
  entry?: CodeEntry;
  /** The code is unknown but its digits read as decimal give a known code (0x516 → 516 = 0x204). */
  assumed?: { decimal: string; entry: CodeEntry };
  /** Ranges the unknown value falls into (0x3000xxx = gateway family, low byte 0x07 = credentials). */
  families: Family[];
}

/**
 * The role a code of each kind plays in a message, or null when a pasted value never means it:
 * AVD diagnostics codes are keyed by name (their numbers are generic HRESULTs) and RDP_NEG_FAILURE
 * codes are probe results (they would shadow 0x1–0x6). FreeRDP prints its own connect errors
 * ([0x0002000D]) and NTSTATUS values come from Windows logon: no RDP role fits, so `unknown`.
 */
export const ROLE_OF_KIND: Record<CodeEntry['kind'], CodeRole | null> = {
  disconnect: 'disconnect',
  extended: 'extended',
  error_info: 'error_info',
  gateway: 'gateway',
  freerdp: 'unknown',
  ntstatus: 'unknown',
  avd: null,
  negotiation: null,
};

export function resolveCode(kb: KnowledgeBase, code: UnderstoodCode): ResolvedCode {
  const value = normaliseHex(code.value);
  const base = { value, role: code.role };
  const named = code.name === undefined ? undefined : kb.byName.get(code.name.toLowerCase());
  if (named && (named.value === undefined || named.value === value || named.kind === 'avd')) {
    return { ...base, entry: named, families: [] };
  }
  const entry = pickEntry(kb.byValue.get(value), code.role);
  if (entry) return { ...base, entry, families: [] };
  const digits = value.slice(2);
  if (/^\d+$/.test(digits)) {
    const twin = pickEntry(kb.byValue.get(`0x${Number(digits).toString(16)}`), code.role);
    if (twin) return { ...base, assumed: { decimal: String(Number(digits)), entry: twin }, families: [] };
  }
  return { ...base, families: matchFamilies(kb.rules.families, value, code.role) };
}

function pickEntry(entries: readonly CodeEntry[] | undefined, role: CodeRole): CodeEntry | undefined {
  if (entries === undefined) return undefined;
  const pasteable = entries.filter((entry) => ROLE_OF_KIND[entry.kind] !== null);
  return pasteable.find((entry) => entry.kind === role) ?? pasteable[0];
}

export function matchFamilies(families: readonly Family[], value: string, role: CodeRole): Family[] {
  const number = Number.parseInt(value.slice(2), 16);
  return families.filter((family) => {
    if (family.roles && !family.roles.includes(role)) return false;
    if (family.min !== undefined && number < Number.parseInt(family.min.slice(2), 16)) return false;
    if (family.max !== undefined && number > Number.parseInt(family.max.slice(2), 16)) return false;
    if (family.mask !== undefined && family.equals !== undefined) {
      const mask = Number.parseInt(family.mask.slice(2), 16);
      // Values here fit in 32 bits; >>> 0 keeps the AND unsigned.
      if ((number & mask) >>> 0 !== Number.parseInt(family.equals.slice(2), 16)) return false;
    }
    return true;
  });
}

export function normaliseHex(value: string): string {
  const text = value.trim().toLowerCase();
  if (!/^0x[0-9a-f]{1,8}$/.test(text)) return text;
  return `0x${Number.parseInt(text.slice(2), 16).toString(16)}`;
}

export const ROLE_LABELS: Record<CodeEntry['kind'] | CodeRole, string> = {
  disconnect: 'Error code',
  extended: 'Extended code',
  error_info: 'Server errorInfo',
  gateway: 'Gateway code',
  freerdp: 'FreeRDP error',
  ntstatus: 'NTSTATUS',
  avd: 'AVD error',
  negotiation: 'Negotiation failure',
  unknown: 'Code',
};
