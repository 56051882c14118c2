import type { CodeRole, UnderstoodCode } from '../report/understanding.js';
import type { CodeBook, CodeBookEntry } from './code-book.js';
import { intentData } from './intent-data.js';

/**
 * Error codes in the notations people type and paste: `0x904`, `0X00000904`, `904`, decimal `2308`
 * (what mRemoteNG / 1Remote print), the dialog's `Error code:` / `Extended error code:` labels in
 * several languages, `ERRINFO_…` / `exDiscReason…` / `E_PROXY_…` names, and the typos `0x9o4` and
 * `ox904`. Each code gets its role from where it stands (rdp-facts.md §1): the dialog's "Error
 * code" is the disconnect reason, "Extended error code" the extended reason, 0x3000xxx the RD
 * Gateway family (Table D). A bare number counts only where it stands as a code ("error 516",
 * "code 2308") and the code book knows it, so ports, dates, tickets and versions stay numbers.
 */

const MAX_CODES = 12;
const MAX_HEX_DIGITS = 8;
/** Matches read per scan: a paste of 500 "error code"s says no more than its first few. */
const MAX_SCANNED_MATCHES = 64;

let labelPatterns: { label: RegExp; anchors: string[] } | undefined;

/** The dialog labels of data/dialog-labels.yaml as one pattern, built on first use. */
function dialogLabels(): { label: RegExp; anchors: string[] } {
  if (labelPatterns) return labelPatterns;
  const labels = intentData().dialogLabels;
  labelPatterns = {
    // Longest label first, so "extended error code" wins over the "error code" inside it; group 1
    // is an extended label, group 2 an error-code label.
    label: new RegExp(
      `(?<![\\p{L}\\p{N}])(?:(${alternation(labels.extendedCode)})|(${alternation(labels.errorCode)}))`,
      'giu',
    ),
    // A word every label contains, to skip the label scan on messages without one.
    anchors: [...new Set([...labels.errorCode, ...labels.extendedCode].map(anchorOf))],
  };
  return labelPatterns;
}
const NAME_ANCHORS = ['errinfo_', 'exdiscreason', 'disconnectreason', 'ssl_err_', 'e_proxy_', 'errconnect_'];
// A number is read as a code only after one of these (checked before the slower regexes).
const NUMBER_CONTEXT = /err|code|reason|disconnected|rdp|mstsc|ext|fehler|错误|protocol/;
// After a label: optional colon (also the full-width one in CJK dialogs), then the value.
const LABEL_VALUE = /^[ \t]{0,4}[:：=#]?[ \t]{0,4}(?:(0x|ox)([0-9a-fo]{1,10})|(\d{1,10}))(?![\p{L}\p{N}_])/iu;
const HEX = /(?<![\p{L}\p{N}_])(0x|ox)([0-9a-fo]{1,10})(?![\p{L}\p{N}_])/giu;
const NAMED =
  /(?<![\p{L}\p{N}_])(ERRINFO_[A-Z0-9_]{2,64}|exDiscReason[A-Za-z0-9]{2,64}|disconnectReason[A-Za-z0-9]{2,64}|SSL_ERR_[A-Z0-9_]{2,64}|E_PROXY_[A-Z0-9_]{2,64}|ERRCONNECT_[A-Z0-9_]{2,64})(?![\p{L}\p{N}_])/giu;
const DIGITS = /(?<![\p{L}\p{N}_.:/#\\-])(\d{1,9})(?![\p{L}\p{N}_]|[.:/,-]\d)/gu;

// What stands right before a code, read on the 32 characters before it (lower case).
const EXTENDED_BEFORE =
  /\bext(?:ended|\.)?(?:\s+(?:error|err|reason|disconnect reason))?(?:\s+code)?\s*[:=]?\s*$/;
const ERROR_INFO_BEFORE = /\b(?:errinfo|error\s*info|error-info|erroninfo)\s*(?:code)?\s*[:=]?\s*$/;
const STRONG_NUMBER_BEFORE =
  /(?:\berror\s+code|\berr(?:or)?\s+no\.?|\bdisconnected!?|\breason\s*[:=]|\breason\s+code|\bexit\s+with\s+error\s+code|\bdisconnect\s+reason)\s*[:=#]?\s*\(?\s*$/;
const WEAK_NUMBER_BEFORE =
  /(?:\berror|\berr|\bcode|\bfehler|\brdp|\bmstsc|错误|\bprotocol\s+error)\s*[:=#]?\s*\(?\s*$/;
// A value handed to a command-line option or written into the registry is a setting, not an
// error code: FreeRDP's /kbd:0x0000041D or /kbd-type:0x4, --option=0x10, reg add … /d 0x1,
// Set-ItemProperty … -Value 0x1.
const OPTION_VALUE_BEFORE = /(?:^|[\s"'(])(?:\/[a-z][\w-]*[:=]|--?[a-z][\w-]*=|\/d\s+|-value\s+)\s*$/;
const NOT_A_CODE_AFTER =
  /^\s*(?:ms|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|users?|mb|gb|kb|%|px|fps|times)\b/;

interface Mention {
  at: number;
  value: number;
  role: CodeRole;
  /** Role fixed by a label or a symbolic name: not open to the pairing rule below. */
  fixed: boolean;
  name?: string | undefined;
}

/** Every code in `text` (already normalised), in the order they appear, at most one per value. */
export function parseCodes(text: string, codeBook: CodeBook): UnderstoodCode[] {
  const mentions: Mention[] = [];
  const lower = text.toLowerCase();
  // Each scan only where its anchor occurs: most messages have no label, name or hex at all.
  if (dialogLabels().anchors.some((anchor) => lower.includes(anchor)))
    collectLabelled(text, codeBook, mentions);
  if (NAME_ANCHORS.some((anchor) => lower.includes(anchor))) collectNamed(text, codeBook, mentions);
  if (lower.includes('x')) collectHex(text, lower, codeBook, mentions);
  if (/\d/.test(text)) collectDigits(text, lower, codeBook, mentions);
  mentions.sort((a, b) => a.at - b.at);

  const codes: UnderstoodCode[] = [];
  const seen = new Set<number>();
  let afterDisconnect = false;
  for (const mention of mentions) {
    if (seen.has(mention.value)) continue;
    seen.add(mention.value);
    let role = mention.role;
    // "0x904 0x7", "0x904/0x7": the second of a pair is the extended reason when the book knows
    // it as one (rdp-facts.md §1: the dialog always shows the pair in this order).
    if (!mention.fixed && afterDisconnect && hasRole(codeBook, mention.value, 'extended')) role = 'extended';
    if (role === 'disconnect') afterDisconnect = true;
    const name = mention.name ?? nameFor(codeBook, mention.value, role);
    codes.push({ value: toHex(mention.value), role, ...(name !== undefined && { name }) });
    if (codes.length >= MAX_CODES) break;
  }
  return codes;
}

function collectLabelled(text: string, codeBook: CodeBook, mentions: Mention[]): void {
  let seen = 0;
  for (const match of text.matchAll(dialogLabels().label)) {
    if (++seen > MAX_SCANNED_MATCHES) break;
    const extended = match[1] !== undefined;
    const end = match.index + match[0].length;
    const value = LABEL_VALUE.exec(text.slice(end, end + 40));
    if (!value) continue;
    const parsed =
      value[2] !== undefined
        ? readHex(value[1] ?? '', value[2], codeBook)
        : readDigits(value[3] ?? '', codeBook, true);
    if (parsed === null) continue;
    const role: CodeRole = extended ? 'extended' : isGatewayValue(parsed) ? 'gateway' : 'disconnect';
    mentions.push({ at: end, value: parsed, role, fixed: true });
  }
}

function collectNamed(text: string, codeBook: CodeBook, mentions: Mention[]): void {
  let seen = 0;
  for (const match of text.matchAll(NAMED)) {
    if (++seen > MAX_SCANNED_MATCHES) break;
    const entry = codeBook.byName(match[1] ?? '');
    if (!entry) continue;
    mentions.push({
      at: match.index,
      value: Number.parseInt(entry.value, 16),
      role: entry.role,
      fixed: true,
      name: entry.name,
    });
  }
}

function collectHex(text: string, lower: string, codeBook: CodeBook, mentions: Mention[]): void {
  let seen = 0;
  for (const match of text.matchAll(HEX)) {
    if (++seen > MAX_SCANNED_MATCHES) break;
    if (mentions.some((m) => m.at >= match.index && m.at <= match.index + match[0].length)) continue;
    const value = readHex(match[1] ?? '', match[2] ?? '', codeBook);
    if (value === null) continue;
    const before = lower.slice(Math.max(0, match.index - 32), match.index);
    if (OPTION_VALUE_BEFORE.test(before)) continue;
    mentions.push(contextualMention(match.index, value, before, codeBook));
  }
}

function collectDigits(text: string, lower: string, codeBook: CodeBook, mentions: Mention[]): void {
  let seen = 0;
  for (const match of text.matchAll(DIGITS)) {
    if (++seen > MAX_SCANNED_MATCHES * 4) break;
    if (mentions.some((m) => m.at >= match.index && m.at <= match.index + match[0].length)) continue;
    const before = lower.slice(Math.max(0, match.index - 32), match.index);
    if (!NUMBER_CONTEXT.test(before)) continue;
    const extended = EXTENDED_BEFORE.test(before);
    // One or two digits are a code only as the extended reason ("extended 7"); else counts and sizes.
    if ((match[1] ?? '').length < 3 && !extended) continue;
    const strong = STRONG_NUMBER_BEFORE.test(before);
    if (!strong && !extended && !WEAK_NUMBER_BEFORE.test(before)) continue;
    // "50 users" is a count; "disconnected! 50331675 user account …" is a code followed by its text.
    const longAfterStrong = strong && (match[1] ?? '').length >= 5;
    if (
      !longAfterStrong &&
      NOT_A_CODE_AFTER.test(lower.slice(match.index + match[0].length, match.index + match[0].length + 10))
    )
      continue;
    const value = readDigits(match[1] ?? '', codeBook, strong || extended);
    if (value === null) continue;
    mentions.push(contextualMention(match.index, value, before, codeBook));
  }
}

function contextualMention(at: number, value: number, before: string, codeBook: CodeBook): Mention {
  if (EXTENDED_BEFORE.test(before)) return { at, value, role: 'extended', fixed: true };
  if (ERROR_INFO_BEFORE.test(before)) return { at, value, role: 'error_info', fixed: true };
  if (isGatewayValue(value)) return { at, value, role: 'gateway', fixed: true };
  return { at, value, role: bestRole(codeBook.lookup(toHex(value))), fixed: false };
}

/** Hex digits after `0x`; the `ox` prefix and an `o` among the digits are typos accepted only for known codes. */
function readHex(prefix: string, digits: string, codeBook: CodeBook): number | null {
  const typo = prefix.toLowerCase() === 'ox' || /o/i.test(digits);
  const clean = digits.replace(/o/gi, '0').replace(/^0+(?=.)/, '');
  if (clean.length > MAX_HEX_DIGITS) return null;
  const value = Number.parseInt(clean, 16);
  if (!Number.isFinite(value)) return null;
  if (typo && codeBook.lookup(toHex(value)).length === 0) return null;
  return value;
}

/**
 * A number written without `0x`: people drop the prefix of short hex codes ("rdp 904") and
 * third-party clients print decimal ("error 516" = 0x204). Take the reading the code book knows;
 * with neither known, only a strong context ("error code 519", "disconnected! 519") makes it a code.
 */
function readDigits(digits: string, codeBook: CodeBook, strong: boolean): number | null {
  if (digits.length > 10) return null;
  const asHex = Number.parseInt(digits, 16);
  const asDecimal = Number.parseInt(digits, 10);
  const hexKnown = digits.length <= MAX_HEX_DIGITS && codeBook.lookup(toHex(asHex)).length > 0;
  const decimalKnown = asDecimal <= 0xffffffff && codeBook.lookup(toHex(asDecimal)).length > 0;
  if (hexKnown && decimalKnown) return digits.length <= 3 ? asHex : asDecimal;
  if (hexKnown) return asHex;
  if (decimalKnown) return asDecimal;
  return strong && asDecimal <= 0xffffffff ? asDecimal : null;
}

const ROLE_PREFERENCE: CodeRole[] = ['disconnect', 'gateway', 'error_info', 'extended'];

function bestRole(entries: CodeBookEntry[]): CodeRole {
  for (const role of ROLE_PREFERENCE) if (entries.some((e) => e.role === role)) return role;
  return 'unknown';
}

function hasRole(codeBook: CodeBook, value: number, role: CodeRole): boolean {
  return codeBook.lookup(toHex(value)).some((e) => e.role === role);
}

function nameFor(codeBook: CodeBook, value: number, role: CodeRole): string | undefined {
  return codeBook.lookup(toHex(value)).find((e) => e.role === role)?.name;
}

// RD Gateway / remote-resource family 0x3000001–0x3000050 (Table D) and the MS-TSGU E_PROXY
// HRESULTs 0x800759xx (rdp-facts.md §7.1).
function isGatewayValue(value: number): boolean {
  return (value >= 0x3000000 && value <= 0x30000ff) || (value >= 0x80075900 && value <= 0x80075aff);
}

function toHex(value: number): string {
  return `0x${value.toString(16)}`;
}

function alternation(list: string[]): string {
  return [...list]
    .sort((a, b) => b.length - a.length)
    .map(labelPattern)
    .join('|');
}

function anchorOf(label: string): string {
  const words = label.trim().toLowerCase().split(/\s+/);
  return words.reduce((longest, word) => (word.length > longest.length ? word : longest), '');
}

function labelPattern(label: string): string {
  return label
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/['’]/g, "['’]"))
    .join('\\s+');
}
