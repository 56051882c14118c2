import type { Understanding, UnderstoodCode, UnderstoodHost } from './understanding.js';

// First version: the common notations only. The intents issue (#4) replaces this with the
// full extractor and the natural-based classifier behind the same signature.

const MAX_SCANNED_CHARS = 20_000;
const HEX_CODE = /\b0x([0-9a-f]{1,8})\b/gi;
const EXTENDED_LABEL = /extended(?:\s+error)?(?:\s+code)?\s*[:=]?\s*0x([0-9a-f]{1,8})\b/i;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g;
const HOST_AFTER_PREPOSITION =
  /\b(?:on|to|server|host)\s+([a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*)\b/gi;
const RDP_WORDS = /\b(rdp|remote desktop|mstsc|3389|rd gateway|terminal server)\b/i;

export function understand(text: string): Understanding {
  const scanned = text.slice(0, MAX_SCANNED_CHARS);
  const codes = parseCodes(scanned);
  const hosts = parseHosts(scanned);
  const isRdp = RDP_WORDS.test(scanned) || codes.length > 0;
  return {
    intent: isRdp ? 'rdp_failure' : 'out_of_scope',
    confidence: isRdp ? 0.9 : 0.5,
    codes,
    hosts,
    gateway: null,
    symptoms: [],
  };
}

function parseCodes(text: string): UnderstoodCode[] {
  const extended = EXTENDED_LABEL.exec(text)?.[1];
  const extendedValue = extended === undefined ? null : normaliseHex(extended);
  const seen = new Set<string>();
  const codes: UnderstoodCode[] = [];
  for (const match of text.matchAll(HEX_CODE)) {
    const value = normaliseHex(match[1] ?? '0');
    if (seen.has(value)) continue;
    seen.add(value);
    codes.push({ value, role: value === extendedValue ? 'extended' : 'disconnect' });
  }
  return codes;
}

function parseHosts(text: string): UnderstoodHost[] {
  const hosts = new Map<string, UnderstoodHost>();
  for (const match of text.matchAll(IPV4)) hosts.set(match[0], { name: match[0], kind: 'ipv4' });
  for (const match of text.matchAll(HOST_AFTER_PREPOSITION)) {
    const name = (match[1] ?? '').toLowerCase();
    if (hosts.has(name) || /^\d+(\.\d+)*$/.test(name) || !/[a-z]/.test(name)) continue;
    hosts.set(name, { name, kind: name.includes('.') ? 'fqdn' : 'short' });
  }
  return [...hosts.values()];
}

function normaliseHex(digits: string): string {
  return `0x${Number.parseInt(digits, 16).toString(16)}`;
}
