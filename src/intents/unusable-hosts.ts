import type { UnusableHostReason } from '../report/understanding.js';
import { hostNameProblem, isIPv4, isNumericAddress } from './host-name-rules.js';

/** At most 80 characters of a token, for the reply ("…" where it was cut). */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * Host-like tokens the host scanners did not take: a name that breaks a rule (`srv..corp`,
 * `-srv01`, a 64-character label), an address in a notation we do not probe (`127.1`, fullwidth
 * digits), a look-alike name. Each is reported with its reason, so no host the user wrote
 * vanishes from the reply. Prose stays quiet: numbers only count where a host stands.
 */

export interface UnusableSpan {
  at: number;
  end: number;
  text: string;
  reason: UnusableHostReason;
}

export interface LeftoverContext {
  /** True when `name` (no dot, lower case) is shaped like a host name (srv01, jdoe-laptop). */
  isNameShaped: (name: string) => boolean;
  /** Top-level "domains" that are file extensions (config.ini, default.rdp). */
  fileExtensions: ReadonlySet<string>;
}

// A run of name characters (any script, fullwidth dots too) and an optional `:port`. Not after a
// character that makes it part of a path, a URL, a mail address or a `key=value`; not starting
// with a dot (".rdp", ".NET" are a file type and a product).
const TOKEN =
  /(?<![\p{L}\p{N}\p{M}._%:/\\@=\uff0e\u3002\uff61\u2010-\u2015\u2212\uff0d-])([\p{L}\p{N}-][\p{L}\p{N}\p{M}._\uff0e\u3002\uff61\u2010-\u2015\u2212\uff0d-]{1,4000})(?::([\p{L}\p{N}]{1,12}))?/gu;
// Dashes that look like "-" but are not (hyphen, en dash, minus, fullwidth hyphen-minus).
const DASH_LOOKALIKE = /[\u2010-\u2015\u2212\uff0d]/;
// What introduces a host in a command line or .rdp line: read the token after it on its own.
const LABELS = /\/v:|full address:s:|gatewayhostname:s:|alternate full address:s:/g;
// Where a number with dots is an address, not a version ("ubuntu 24.04", "updating to 2.1.4",
// "was fine on 14.10"): after a word that introduces an address ("rdp to", "ping", "0x904 on"),
// or a command line's label.
const ADDRESS_BEFORE =
  /(?:\b(?:server|host|hostname|ip|address|addr|machine|computer|vm|target|ping|reach|ssh\s+to|(?:rdp|mstsc)(?:ing)?(?:\s+(?:to|into|on))?|connect(?:ing|ed|s)?\s+to|(?:fail(?:s|ed|ing)?|error|0x[0-9a-f]+)\s+on|remote\s+computer:?)\s*[:=]?\s*["“'(]?|\/v:|full address:s:|gatewayhostname:s:)$/;
// "ubuntu server 18.04", "version 8.1": a product's version, wherever it stands.
const VERSION_BEFORE =
  /\b(?:version|ver\.?|v|build|release|ubuntu|windows|debian|fedora|centos|rhel|mint|macos|ios|android|nixos)(?:\s+server)?\s*$/;
// A command line's or an .rdp file's label: what follows is the host, whatever it looks like.
const LABEL_BEFORE = /(?:\/v:|full address:s:|gatewayhostname:s:|remote computer:\s*["“']?)$/;

/** Unusable host-like tokens of `text` (lower case, links and mail addresses already blanked). */
export function findLeftoverHosts(text: string, context: LeftoverContext): UnusableSpan[] {
  const spans: UnusableSpan[] = [];
  const scanned = text.replace(LABELS, (label) => ' '.repeat(label.length));
  for (const match of scanned.matchAll(TOKEN)) {
    const raw = match[1] ?? '';
    // A sentence's full stop (or a run of dots) is not part of the name.
    const token = raw.replace(/[._\uff0e\u3002\uff61]+$/, '').replace(/[_]+$/, '');
    if (token.length < 2) continue;
    const reason = judgeToken(
      token,
      text.slice(Math.max(0, match.index - 40), match.index),
      context,
      match[2] !== undefined,
    );
    if (reason === null) continue;
    const end = match.index + raw.length + (match[2] === undefined ? 0 : match[2].length + 1);
    const whole = scanned.slice(match.index, end).replace(/[._\uff0e\u3002\uff61]+$/, '');
    spans.push({ at: match.index, end, text: clip(whole), reason });
  }
  return spans;
}

/** `before`: the 40 characters before the token (lower case, labels not blanked). */
function judgeToken(
  token: string,
  before: string,
  context: LeftoverContext,
  hasPort: boolean,
): UnusableHostReason | null {
  if (!/^[\x21-\x7e]+$/.test(token)) return judgeNonAscii(token, context);
  if (isNumericAddress(token)) {
    // A bare number is an error code (RD Gateway writes them in decimal); 10.0.0.5 was taken.
    if (!token.includes('.') || isIPv4(token)) return null;
    // Hex between dots is never a version or a measurement.
    if (/(?:^|\.)0x/.test(token)) return 'unusual-address';
    if (VERSION_BEFORE.test(before)) return null;
    return ADDRESS_BEFORE.test(before) || hasPort ? hostNameProblem(token) : null;
  }
  if (token.includes('.')) {
    const problem = hostNameProblem(token);
    if (problem === null || problem === 'bad-character') return null;
    const tld = token.split('.').at(-1) ?? '';
    const hostShaped =
      (/^[a-z]{2,24}$/.test(tld) && !context.fileExtensions.has(tld)) || LABEL_BEFORE.test(before);
    return hostShaped && /[a-z]/.test(token) ? problem : null;
  }
  // "-srv01": a name shaped like a host, after a hyphen (one: "--flag" is an option).
  const name = token.replace(/^-/, '');
  if (token.startsWith('-') && !name.startsWith('-') && context.isNameShaped(name)) return 'hyphen-at-edge';
  return null;
}

/**
 * A token with letters or digits outside ASCII: fullwidth forms (NFKC folds them to ASCII), or a
 * name mixing scripts (`ѕrv01`, Cyrillic ѕ), or a dotted international name not in punycode.
 */
function judgeNonAscii(token: string, context: LeftoverContext): UnusableHostReason | null {
  const folded = token
    .normalize('NFKC')
    .replace(/[\uff0e\u3002\uff61]/g, '.')
    .toLowerCase();
  if (/^[\x21-\x7e]+$/.test(folded)) {
    if (isNumericAddress(folded)) return folded.includes('.') ? 'unusual-address' : null;
    return folded.includes('.') || context.isNameShaped(folded) ? 'not-ascii' : null;
  }
  // Ideographic full stops end CJK sentences: only "." and "．" separate labels here.
  const labels = token.normalize('NFKC').toLowerCase().split('.');
  const mixed =
    /[a-z]/.test(folded) &&
    /[^\x20-\x7e]/.test(folded) &&
    (/[\d.-]/.test(folded) || DASH_LOOKALIKE.test(folded));
  const dottedName =
    labels.length >= 2 &&
    labels.every((label) => /^[\p{L}\p{N}\p{M}-]{1,63}$/u.test(label)) &&
    /^\p{L}{2,24}$/u.test(labels.at(-1) ?? '');
  return mixed || dottedName ? 'not-ascii' : null;
}
