import type { UnusableHostReason } from '../report/understanding.js';

/**
 * The rules a name or address must meet before the bot would probe it (RFC 1123 host names,
 * RFC 4291 IPv6 text), as one pure check: the parser uses it to tell the user which rule a
 * host-like token broke instead of dropping it silently.
 */

// inet_aton() (and so getaddrinfo) reads "127.1", "0x7f.1", "0177.0.0.1" and "2130706433" as
// 127.0.0.1: numbers and hex between dots are an address in a notation we do not probe.
const NUMERIC_PARTS = /^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$/;
const LABEL_CHARS = /^[a-z0-9_-]+$/;
// Dots a chat client or keyboard may put in place of "." (fullwidth, ideographic, halfwidth).
const ODD_DOTS = /[\u3002\uff0e\uff61]/g;

/** Why `name` (lower case) is no host name or address we would probe, or null when it is one. */
export function hostNameProblem(name: string): UnusableHostReason | null {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!/^[\x21-\x7e]+$/.test(bare)) {
    const folded = bare.normalize('NFKC').replace(ODD_DOTS, '.').toLowerCase();
    return /^[\x21-\x7e]+$/.test(folded) && isNumericAddress(folded) ? 'unusual-address' : 'not-ascii';
  }
  if (bare.includes(':')) return ipv6Problem(bare);
  if (isNumericAddress(bare)) return isIPv4(bare) ? null : numericProblem(bare);
  if (bare.length > 253) return 'name-too-long';
  const labels = bare.split('.');
  for (const label of labels) {
    if (label === '') return 'empty-label';
    if (!LABEL_CHARS.test(label)) return 'bad-character';
    if (label.length > 63) return 'label-too-long';
    if (label.startsWith('-') || label.endsWith('-')) return 'hyphen-at-edge';
  }
  // "10.0.0.5.": trailing numbers are an address, not a top-level domain.
  if (/^\d+$/.test(labels.at(-1) ?? '')) return 'unusual-address';
  return null;
}

/** Only numbers (or hex) between dots: an address in some notation. */
export function isNumericAddress(text: string): boolean {
  return NUMERIC_PARTS.test(text) && /\d/.test(text);
}

/** Four decimal numbers 0–255 without leading zeros: the one IPv4 notation we probe. */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** RFC 4291 text forms: eight groups, or fewer around one `::`. Times (09:18:47) and MACs are not. */
export function isIPv6(text: string): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  // "::" alone is the unspecified address: nothing to connect to.
  return halves.length === 2 ? groups.length >= 1 && groups.length <= 7 : groups.length === 8;
}

/** `::ffff:10.0.0.5` or `::ffff:a00:5`: an IPv4 address written as IPv6. */
export function isMappedIPv4(text: string): boolean {
  return /^(?:0{0,4}:){0,5}:?ffff:(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{1,4}:[0-9a-f]{1,4})$/i.test(text);
}

function ipv6Problem(text: string): UnusableHostReason | null {
  if (text.includes('%')) return 'zone-id';
  if (isMappedIPv4(text)) return 'unusual-address';
  return isIPv6(text) ? null : 'not-an-address';
}

function numericProblem(text: string): UnusableHostReason {
  const parts = text.split('.');
  // Four decimal numbers, one of them above 255 or with too many digits: no address at all.
  // Leading zeros (0177.0.0.1) are octal to inet_aton: an unusual notation.
  const decimal = parts.every((p) => /^\d+$/.test(p));
  if (parts.length === 4 && decimal && parts.some((p) => Number(p) > 255 && !/^0\d/.test(p)))
    return 'not-an-address';
  return 'unusual-address';
}
