import JaroWinklerDistance from 'natural/lib/natural/distance/jaro-winkler_distance.js';
import type { HostKind, UnderstoodHost, UnusableHost, UnusableHostReason } from '../report/understanding.js';
import { hostNameProblem, isIPv4, isIPv6, isMappedIPv4 } from './host-name-rules.js';
import { intentData } from './intent-data.js';
import type { RdpFileSettings } from './rdp-file.js';
import { clip, findLeftoverHosts, type UnusableSpan } from './unusable-hosts.js';

/**
 * Hosts and the RD Gateway named in a message: FQDNs, short names (`srv-fin-02`), IPv4/IPv6
 * literals, `host:port`, URLs and UNC paths, `/v:host` and `.rdp` settings. A short name without
 * a hyphen (`dc01`) counts only where it stands as a host ("server dc01", "rdp to dc01") or when the
 * inventory knows it; a near miss of an inventory name gets a "did you mean" suggestion. A host-like
 * token that is no host we would probe (`srv..corp`, `127.1`, `[fe80::1%eth0]`, `host:65536`) is
 * returned in `unusable` with its reason, never dropped silently.
 */

export interface InventoryName {
  name: string;
  aliases: readonly string[];
}

export interface HostIndex {
  exact: Set<string>;
  /** Every inventory name and alias (`label`: its first DNS label, lower case) → the inventory name. */
  names: { label: string; name: string }[];
}

export interface ParsedHosts {
  hosts: UnderstoodHost[];
  gateway: string | null;
  unusable: UnusableHost[];
}

interface HostWords {
  fileExtensions: Set<string>;
  ignoredDomains: readonly string[];
  notHostPrefixes: Set<string>;
  notHostWords: Set<string>;
}
let loadedWords: HostWords | undefined;

/** The word lists of data/hosts.yaml (lower case), read on first use. */
function hostWords(): HostWords {
  if (loadedWords) return loadedWords;
  const words = intentData().hostWords;
  loadedWords = {
    fileExtensions: new Set(words.fileExtensions),
    ignoredDomains: words.ignoredDomains,
    notHostPrefixes: new Set(words.notHostPrefixes),
    notHostWords: new Set(words.notHostWords),
  };
  return loadedWords;
}

/** Hosts read per message: the most `probes.maxHostsPerMessage` allows; the rest are reported. */
const MAX_HOSTS = 20;
/** Jaro–Winkler similarity from which a name is offered as "did you mean" (srv-fn-02 → srv-fin-02: 0.97). */
const SUGGESTION_THRESHOLD = 0.9;

const URL_HOST =
  /\b(?:https?|rdp|ms-rd|wss?|ftp):\/\/(?:[^\s/@<>|"']{1,128}@)?(\[[0-9a-f:.%]{2,64}\]|[^\s/:?#<>|"'\])]{1,253})(?::(\d{1,5}))?/gi;
const UNC_HOST = /\\\\([a-z0-9][a-z0-9.-]{0,252})(?=\\|\s|$)/gi;
const EMAIL = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}/gu;
const DOMAIN_USER = /(?<![\\\p{L}\p{N}])[\p{L}\p{N}-]{1,32}\\[\p{L}\p{N}._$-]{1,64}/gu;
// A port is read up to the next non-alphanumeric, so "3389x" or "65536" is a bad port, not 3389.
const IPV6_BRACKETED = /\[([0-9a-f:.]{2,45})(%[\w.-]{1,16})?\](?::(\d[0-9a-z]{0,9}))?/gi;
const IPV6_BARE =
  /(?<![\p{L}\p{N}:.])((?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4})(%[\w.-]{1,16})?(?![\p{L}\p{N}:.])/giu;
// ::ffff:10.0.0.5 — IPv4 written as IPv6, read before the IPv4 scan takes its tail.
const MAPPED_IPV4 = /(?<![\p{L}\p{N}:.])(?:0{0,4}:){0,5}:?ffff:(?:\d{1,3}\.){3}\d{1,3}(?![\p{L}\p{N}.])/giu;
// Not followed by ".name": 127.0.0.1.evil.example is one dotted name, read by DOTTED.
const IPV4 =
  /(?<![\p{L}\p{N}.])((?:\d{1,3}\.){3}\d{1,3})(?::(\d[0-9a-z]{0,9}))?(?![\p{L}\p{N}]|\.[\p{L}\p{N}])/gu;
const DOTTED =
  /(?<![\p{L}\p{N}._@\\/-])([a-z0-9](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_-]{1,63}){1,8})(?::(\d[0-9a-z]{0,9}))?(?![\p{L}\p{N}@-]|\.[a-z0-9])/giu;
const WORD =
  /(?<![a-z0-9._@\\/-])([a-z][a-z0-9]{0,30}(?:-[a-z0-9]{1,30}){0,6})(?::(\d{1,5}))?(?![a-z0-9_@\\-]|\.[a-z0-9])/g;
// Words shaped like host names: with a hyphen (srv-fin-02, jdoe-laptop) or letters then digits (dc01).
// Not inside a word of another script: "ѕrv01" (Cyrillic ѕ) is a look-alike, not the host "rv01".
const NAME_SHAPED =
  /(?<![a-z0-9._@\\/\u0080-\uffff-])([a-z][a-z0-9]{0,30}(?:-[a-z0-9]{1,30}){1,6}|[a-z]{2,10}\d{1,4})(?::(\d[0-9a-z]{0,9}))?(?![a-z0-9_@\\\u0080-\uffff-]|\.[a-z0-9])/g;
// RFC 6761 localhost: a name like any other, so the allow rules decide whether it is probed.
const LOCALHOST = /(?<![a-z0-9._@\\/-])(localhost)(?::(\d[0-9a-z]{0,9}))?(?![a-z0-9_@\\-]|\.[a-z0-9])/g;
// Any name right after "/v:", "full address:s:", "Remote computer:" or a quote after "computer".
const NAME_AFTER_LABEL =
  /(?:\/v:|full address:s:|remote computer:\s{0,3}["“']?|computer\s{0,3}["“'])([a-z][a-z0-9_-]{0,62})(?![a-z0-9_.-])/g;

// What stands right before a name (lower case, the 40 characters before it).
const HOST_BEFORE =
  /(?:\b(?:server|servers|host|hostname|on|to|into|machine|pc|computer|vm|box|target|named|called|reach|ping|and|from|connect(?:ing)?\s+to|rdp(?:ing)?\s+(?:to|into))\s+(?:the\s+|my\s+|our\s+|a\s+)?(?:(?:server|host|machine|vm|pc|box|computer|remote\s+computer)\s+)?["“'(]?|\/v:|full address:s:|remote computer:?\s*["“']?|computer\s+["“']|,\s*)$/;
const GATEWAY_BEFORE =
  /(?:\bvia|\bthrough|\bthru|\bover|\bbehind|\bgateway(?:\s+server)?(?:\s+(?:is|was|=))?|\bgateway\s+host(?:name)?|\brd\s*gateway(?:\s+server)?|\brdg(?:w)?(?:\s+server)?|\bgw|\/g:|gatewayhostname:s:)\s*[:=]?\s*(?:the\s+)?(?:gateway\s+)?["“'(]?$/;
// "via" / "through" / "over" / "behind" alone: a short name after them is a gateway only when it
// is named like one ("via rdg01"); "via ipp-usb" or "over ssh-tunnel" is not.
const LOOSE_GATEWAY_BEFORE = /(?:\bvia|\bthrough|\bthru|\bover|\bbehind)\s*[:=]?\s*(?:the\s+)?["“'(]?$/;
const GATEWAY_NAME =
  /^(?:rdg|rdgw|rdgateway|rd-gateway|gateway|gw|tsg|tsgw|rdsgw)(?:\d{0,3})(?:[.-]|$)|(?:^|-)(?:gw|rdg|rdgw|gateway)(?:\d{0,3})(?:\.|-|$)/;

// Codes with a typo (ox904), products and versions (win11, server-2019, w10) look like names.
const NOT_A_NAME =
  /^(?:0x|ox)[0-9a-fo]+$|^(?:build|kb|sp|rev)-?\d+$|^(?:win|windows|w)-?(?:xp|vista|7|8|10|11|20\d\d)(?:r2|h[12])?$|^(?:windows-)?server-?20\d\d(?:-?r2)?$/;
// A name right after these is the host, whatever it looks like (dotted names without a TLD too).
const STRONG_HOST_BEFORE = /(?:\/v:|full address:s:|remote computer:\s*["“']?|remote computer\s*["“'])$/;

interface Candidate {
  at: number;
  name: string;
  kind: HostKind;
  port?: number | undefined;
  gateway: boolean;
  suggestion?: string | undefined;
}

/** What one message's scans collect: host candidates, and host-like tokens that are no host. */
interface Scan {
  found: Candidate[];
  unusable: UnusableSpan[];
}

export function createHostIndex(inventory: readonly InventoryName[]): HostIndex {
  const exact = new Set<string>();
  const names: HostIndex['names'] = [];
  for (const host of inventory) {
    for (const candidate of [host.name, ...host.aliases]) {
      const lower = candidate.toLowerCase();
      exact.add(lower);
      names.push({ label: lower.split('.')[0] ?? lower, name: host.name });
    }
  }
  return { exact, names };
}

export function parseHosts(text: string, index: HostIndex, rdpFile: RdpFileSettings | null): ParsedHosts {
  const scan: Scan = { found: [], unusable: [] };
  const unused = new Set<string>();
  fromRdpFile(rdpFile, scan, unused);
  // Links first; then blank out what cannot be a host (links, e-mail addresses, DOMAIN\user) so the
  // later scans do not read "jdoe@corp.example" or "CORP\jdoe" as names.
  let rest = text;
  if (text.includes('://'))
    rest = rest.replace(URL_HOST, (whole, host: string, port: string | undefined, at: number) => {
      const name = host.replace(/^\[|\]$/g, '').toLowerCase();
      if (!isIgnoredDomain(name)) addCandidate(scan, at, name, port, text, index);
      return ' '.repeat(whole.length);
    });
  if (rest.includes('\\')) {
    rest = rest.replace(UNC_HOST, (whole, host: string, at: number) => {
      addCandidate(scan, at, host.toLowerCase(), undefined, text, index);
      return ' '.repeat(whole.length);
    });
    rest = rest.replace(DOMAIN_USER, (whole) => ' '.repeat(whole.length));
  }
  // A mail address or UPN (jdoe@corp.example) names a user; "admin@srv01" (no dot) names a host
  // the user logs on to: reported, since the host alone is what we would probe.
  if (rest.includes('@'))
    rest = rest.replace(EMAIL, (whole: string, at: number) => {
      if (!whole.slice(whole.indexOf('@')).includes('.')) markUnusable(scan, at, whole, 'user-at-host');
      return ' '.repeat(whole.length);
    });
  if (rest.includes('[') && rest.includes(':'))
    rest = rest.replace(
      IPV6_BRACKETED,
      (whole, address: string, zone: string | undefined, port: string | undefined, at: number) => {
        const lower = address.toLowerCase();
        if (zone !== undefined) markUnusable(scan, at, whole, 'zone-id');
        else if (isMappedIPv4(lower)) markUnusable(scan, at, whole, 'unusual-address');
        else if (isIPv6(lower)) addCandidate(scan, at, lower, port, text, index);
        else if (lower.includes(':')) markUnusable(scan, at, whole, 'not-an-address');
        else return whole;
        return ' '.repeat(whole.length);
      },
    );
  if (/ffff:\d/i.test(rest))
    rest = rest.replace(MAPPED_IPV4, (whole: string, at: number) => {
      markUnusable(scan, at, whole, 'unusual-address');
      return ' '.repeat(whole.length);
    });
  if (rest.includes('::') || /(?:[0-9a-f]{1,4}:){7}/i.test(rest))
    rest = rest.replace(IPV6_BARE, (whole, address: string, zone: string | undefined, at: number) => {
      if (!isIPv6(address)) return whole;
      if (zone !== undefined) markUnusable(scan, at, whole, 'zone-id');
      else addCandidate(scan, at, address.toLowerCase(), undefined, text, index);
      return ' '.repeat(whole.length);
    });
  const lower = rest.toLowerCase();
  if (/\d\.\d/.test(lower))
    for (const match of lower.matchAll(IPV4)) {
      if (
        !isIPv4(match[1] ?? '') ||
        /\b(?:version|ver\.?|v|build|release)\s*$/.test(
          lower.slice(Math.max(0, match.index - 12), match.index),
        )
      )
        continue;
      addCandidate(scan, match.index, match[1] ?? '', match[2], lower, index);
    }
  if (lower.includes('.'))
    for (const match of lower.matchAll(DOTTED)) {
      const name = (match[1] ?? '').replace(/[._-]+$/, '');
      if (isIPv4(name) || isIgnoredDomain(name)) continue;
      const strong = STRONG_HOST_BEFORE.test(lower.slice(Math.max(0, match.index - 40), match.index));
      if (!isFqdn(name) && !(strong && isDottedName(name))) continue;
      addCandidate(scan, match.index, name, match[2], lower, index);
    }
  for (const match of lower.matchAll(NAME_SHAPED)) {
    const name = match[1] ?? '';
    const decided = judgeShortName(name, lower, match.index, index);
    if (decided === null) continue;
    addCandidate(scan, match.index, name, match[2], lower, index, decided);
  }
  if (lower.includes('localhost'))
    for (const match of lower.matchAll(LOCALHOST))
      addCandidate(scan, match.index, 'localhost', match[2], lower, index);
  if (lower.includes(':') || lower.includes('"') || lower.includes('“'))
    for (const match of lower.matchAll(NAME_AFTER_LABEL)) {
      const name = match[1] ?? '';
      if (hostWords().notHostWords.has(name)) continue;
      addCandidate(scan, match.index + match[0].length - name.length, name, undefined, lower, index);
    }
  if (index.exact.size > 0) {
    let seen = 0;
    for (const match of lower.matchAll(WORD)) {
      if (++seen > MAX_WORDS) break;
      if (index.exact.has(match[1] ?? ''))
        addCandidate(scan, match.index, match[1] ?? '', match[2], lower, index);
    }
  }
  // What no scan took but looks like a host; a piece of such a token is no host of its own.
  const leftovers = findLeftoverHosts(lower, {
    // Shaped like a name and, by the rules of short names, one (srv01, not win10 or sha-256).
    isNameShaped: (name) =>
      NAME_SHAPED_WHOLE.test(name) && /\d/.test(name) && judgeShortName(name, '', 0, index) !== null,
    fileExtensions: hostWords().fileExtensions,
  });
  scan.unusable.push(...leftovers);
  const found = scan.found.filter(
    (candidate) =>
      !unused.has(candidate.name) &&
      !leftovers.some((span) => candidate.at >= span.at && candidate.at < span.end),
  );
  const overflow: Candidate[] = [];
  const settled = settle(found, overflow);
  for (const extra of overflow) markUnusable(scan, extra.at, extra.name, 'too-many-hosts');
  return { ...settled, unusable: settleUnusable(scan.unusable) };
}

// The whole of a word shaped like a host name (NAME_SHAPED without its context).
const NAME_SHAPED_WHOLE = /^(?:[a-z][a-z0-9]{0,30}(?:-[a-z0-9]{1,30}){1,6}|[a-z]{2,10}\d{1,4})$/;

function markUnusable(scan: Scan, at: number, text: string, reason: UnusableHostReason): void {
  if (scan.unusable.length < MAX_CANDIDATES)
    scan.unusable.push({ at, end: at + text.length, text: clip(text.toLowerCase()), reason });
}

/** In message order, each token once. */
function settleUnusable(spans: UnusableSpan[]): UnusableHost[] {
  const byText = new Map<string, UnusableHost>();
  for (const span of [...spans].sort((a, b) => a.at - b.at))
    if (!byText.has(span.text) && byText.size < MAX_HOSTS)
      byText.set(span.text, { text: span.text, reason: span.reason });
  return [...byText.values()];
}

/** A name-shaped word is a host unless it names a product or version; one without digits must stand where a host stands. */
function judgeShortName(
  name: string,
  lower: string,
  at: number,
  index: HostIndex,
): string | undefined | null {
  if (index.exact.has(name)) return undefined;
  if (hostWords().notHostWords.has(name) || NOT_A_NAME.test(name)) return null;
  const [first = name, ...rest] = name.split('-');
  const hasDigit = /\d/.test(name);
  // win10, x64, sha-256, cve-2018-0886, win32-openssh: a product or standard with its number.
  if (
    hostWords().notHostPrefixes.has(first.replace(/\d+$/, '')) &&
    (/\d$/.test(first) || rest.every((part) => /^\d+$/.test(part)))
  )
    return null;
  if (hasDigit) return suggest(name, index);
  // jdoe-laptop, vm-win-test: a host only where a host stands ("rdp to jdoe-laptop").
  const before = lower.slice(Math.max(0, at - 40), at);
  return HOST_BEFORE.test(before) || GATEWAY_BEFORE.test(before) ? suggest(name, index) : null;
}

/** Candidates read per message: past the first few dozen names a paste is a log, not a request. */
const MAX_CANDIDATES = 64;
/** Words compared with the inventory per message. */
const MAX_WORDS = 600;

function addCandidate(
  scan: Scan,
  at: number,
  name: string,
  port: string | undefined,
  text: string,
  index: HostIndex,
  suggestion?: string,
): void {
  if (scan.found.length >= MAX_CANDIDATES) return;
  const bare = name.replace(/\.$/, '');
  const kind = kindOf(bare);
  const written = kind === 'ipv6' && port !== undefined ? `[${bare}]` : bare;
  // A name that breaks a rule, or a port that is no port, is reported, not probed elsewhere.
  const problem = hostNameProblem(bare);
  if (problem !== null) {
    markUnusable(scan, at, written, problem);
    return;
  }
  const parsedPort = port === undefined ? undefined : /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (parsedPort !== undefined && !(parsedPort >= 1 && parsedPort <= 65535)) {
    markUnusable(scan, at, `${written}:${port}`, 'bad-port');
    return;
  }
  const before = text.slice(Math.max(0, at - 40), at).toLowerCase();
  scan.found.push({
    at,
    name: bare,
    kind,
    port: parsedPort,
    gateway:
      GATEWAY_BEFORE.test(before) &&
      (kind !== 'short' || !LOOSE_GATEWAY_BEFORE.test(before) || GATEWAY_NAME.test(bare)),
    suggestion: suggestion ?? (kind === 'fqdn' || kind === 'short' ? suggest(bare, index) : undefined),
  });
}

function fromRdpFile(rdpFile: RdpFileSettings | null, scan: Scan, unused: Set<string>): void {
  if (!rdpFile) return;
  const address = firstToken(rdpFile['full address']);
  const serverPort = rdpFile['server port'];
  if (typeof address === 'string' && address !== '') {
    const [, host = address, port] = /^\[?([^\]]+?)\]?(?::(\d{1,5}))?$/.exec(address.trim()) ?? [];
    const name = host.toLowerCase();
    const problem = hostNameProblem(name);
    const portNumber = port
      ? Number.parseInt(port, 10)
      : typeof serverPort === 'number'
        ? serverPort
        : undefined;
    if (problem !== null) markUnusable(scan, -2, address, problem);
    else if (portNumber !== undefined && !(portNumber >= 1 && portNumber <= 65535))
      markUnusable(scan, -2, address, 'bad-port');
    else scan.found.push({ at: -2, name, kind: kindOf(name), port: portNumber, gateway: false });
  }
  const gateway = firstToken(rdpFile.gatewayhostname);
  // gatewayusagemethod 0 = do not use a gateway, 4 = do not use, bypass ticked (rdp-facts.md §7).
  const usage = rdpFile.gatewayusagemethod;
  if (typeof gateway === 'string' && gateway !== '') {
    const host = gateway.replace(/:\d{1,5}$/, '').toLowerCase();
    const problem = hostNameProblem(host);
    // A gateway the file says not to use is neither the gateway nor a target.
    if (usage === 0 || usage === 4) unused.add(host);
    else if (problem !== null) markUnusable(scan, -1, host, problem);
    else scan.found.push({ at: -1, name: host, kind: kindOf(host), gateway: true });
  }
}

// What an .rdp file may name: a host or address, optionally with a port ("srv:3390", "[fd00::1]:3390").
const RDP_FILE_HOST =
  /^(?:[a-z0-9](?:[a-z0-9._-]{0,252})|\[[0-9a-f:.]{2,45}\]|[0-9a-f:]{2,45})(?::\d{1,5})?$/i;

function firstToken(value: string | number | undefined): string | undefined {
  const token = typeof value === 'string' ? value.trim().split(/\s+/)[0] : undefined;
  return token !== undefined && RDP_FILE_HOST.test(token) ? token : undefined;
}

/** Hosts in message order, each once, and the gateway; past MAX_HOSTS a host goes to `overflow`. */
function settle(found: Candidate[], overflow: Candidate[]): Omit<ParsedHosts, 'unusable'> {
  found.sort((a, b) => a.at - b.at);
  let gateway: string | null = found.find((c) => c.gateway)?.name ?? null;
  if (gateway === null) {
    const named = found.find((c) => (c.kind === 'fqdn' || c.kind === 'short') && GATEWAY_NAME.test(c.name));
    if (named) gateway = named.name;
  }
  const hosts = new Map<string, UnderstoodHost>();
  for (const candidate of found) {
    if (candidate.name === gateway || hosts.has(candidate.name)) {
      const known = hosts.get(candidate.name);
      if (known && known.port === undefined && candidate.port !== undefined) known.port = candidate.port;
      continue;
    }
    if (hosts.size >= MAX_HOSTS) {
      overflow.push(candidate);
      continue;
    }
    hosts.set(candidate.name, {
      name: candidate.name,
      kind: candidate.kind,
      ...(candidate.port !== undefined && { port: candidate.port }),
      ...(candidate.suggestion !== undefined && { suggestion: candidate.suggestion }),
    });
  }
  return { hosts: [...hosts.values()], gateway };
}

function suggest(name: string, index: HostIndex): string | undefined {
  if (index.names.length === 0 || index.exact.has(name)) return undefined;
  const first = name.split('.')[0] ?? name;
  if (index.exact.has(first)) return undefined;
  let best: { score: number; name: string } | undefined;
  for (const entry of index.names) {
    // Jaro–Winkler weighs the start of the name: a typo there is rare, so a name that starts
    // differently or is much longer or shorter is not worth the comparison.
    if (entry.label[0] !== first[0] || Math.abs(entry.label.length - first.length) > 3) continue;
    const score = JaroWinklerDistance(first, entry.label);
    if (score >= SUGGESTION_THRESHOLD && (!best || score > best.score)) best = { score, name: entry.name };
  }
  return best?.name;
}

function kindOf(name: string): HostKind {
  if (isIPv4(name)) return 'ipv4';
  if (name.includes(':')) return 'ipv6';
  return name.includes('.') ? 'fqdn' : 'short';
}

function isFqdn(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  const tld = labels[labels.length - 1] ?? '';
  // A top-level domain is letters, or an international one in punycode (xn--p1ai).
  if (!/^(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})$/.test(tld) || hostWords().fileExtensions.has(tld)) return false;
  return labels.every((label) => /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/.test(label));
}

function isDottedName(name: string): boolean {
  return (
    name.length <= 253 &&
    name.split('.').every((label) => /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/.test(label))
  );
}

function isIgnoredDomain(name: string): boolean {
  return hostWords().ignoredDomains.some((domain) => name === domain || name.endsWith(`.${domain}`));
}
