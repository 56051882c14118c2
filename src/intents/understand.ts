import type { Mention, Understanding } from '../report/understanding.js';
import { defaultClassifier, type IntentClassifier, tokenizeForIntent } from './classifier.js';
import { type CodeBook, EMPTY_CODE_BOOK } from './code-book.js';
import { parseCodes } from './codes.js';
import { createHostIndex, type HostIndex, type InventoryName, parseHosts } from './hosts.js';
import { decideIntent, isOnlyEmoji, OUT_OF_SCOPE_THRESHOLD, readSigns } from './intent-rules.js';
import { findMentions } from './mentions.js';
import { contentTerms, toWords } from './message-words.js';
import { normalizeMessage } from './normalize-message.js';
import { parseRdpFile } from './rdp-file.js';
import { findSymptomPhrases } from './symptoms.js';

export { OUT_OF_SCOPE_THRESHOLD };

export interface UnderstandOptions {
  /** Code names and roles from the knowledge base; without it only labels and ranges give roles. */
  codeBook?: CodeBook;
  /** Configured hosts: exact names and aliases are hosts wherever they stand; near misses get a suggestion. */
  inventory?: readonly InventoryName[];
  /** Another classifier (the evaluation script compares several); default: naive Bayes on data/intents.yaml. */
  classifier?: IntentClassifier;
  /** Overrides OUT_OF_SCOPE_THRESHOLD (the evaluation script sweeps it on the dev split). */
  outOfScopeThreshold?: number;
}

const indexes = new WeakMap<readonly InventoryName[], HostIndex>();
const NO_INVENTORY: readonly InventoryName[] = [];

/** What the message says: intent, error codes, hosts, gateway, symptoms. Pure, synchronous, no I/O. */
export function understand(text: string, options: UnderstandOptions = {}): Understanding {
  const {
    codeBook = EMPTY_CODE_BOOK,
    inventory = NO_INVENTORY,
    classifier = defaultClassifier(),
    outOfScopeThreshold = OUT_OF_SCOPE_THRESHOLD,
  } = options;
  const message = normalizeMessage(typeof text === 'string' ? text : '');
  const rdpFile = parseRdpFile(message);
  const codes = parseCodes(message, codeBook);
  const { hosts, gateway, unusable } = parseHosts(message, hostIndexFor(inventory), rdpFile);
  // Host names are not words of the report: "rdg.corp.example" is a gateway's name, not "rdg".
  const words = toWords(
    withoutNames(message, [...hosts.map((host) => host.name), ...(gateway ? [gateway] : [])]),
  );
  const symptomHits = findSymptomPhrases(words);
  const symptoms = symptomHits.map((hit) => hit.key);
  const found: Mention[] = [
    ...symptomHits.map((hit) => ({ kind: 'symptom' as const, id: hit.key, words: hit.phrase })),
    ...findMentions(words),
  ];
  // "I already cleared the saved credentials" says what was tried; its words are not also a cue
  // ("saved credentials") that would push the very fix the user already tried.
  const tried = found.filter((mention) => mention.kind === 'tried').map((mention) => ` ${mention.words} `);
  const mentions = found.filter(
    (mention) => mention.kind === 'tried' || !tried.some((phrase) => phrase.includes(` ${mention.words} `)),
  );
  const scores = classifier.classify(tokenizeForIntent(message));
  const strongRdp = rdpFile !== null || codes.some(isRdpOnlyCode);
  const signs = readSigns(words, message.toLowerCase(), symptomHits);
  const broken = signs.broken && signs.noProblem !== 'solved';
  const { intent, confidence } = decideIntent(
    scores.probabilities,
    {
      strongRdp,
      rdp: strongRdp || signs.rdpWord || gateway !== null,
      remote: signs.remoteWord,
      // A short code proves little beside another product's name ("parsec … code 100"): only a
      // long RDP code (0x3000046), a named one or an .rdp file keeps the message ours. An RDP word
      // beside the product keeps it ours too, unless the product comes first and is named at
      // least as often: "chrome remote desktop stuck on starting since i removed rdpwrap" is
      // about Chrome Remote Desktop.
      // A tool that watches RDP logons (IPBan, fail2ban) is the topic whatever RDP words it names;
      // so is an update's result code when no RDP symptom is named beside it ("windows update
      // on the rds host fails with 0x800f0922"), and an application that only runs on the RDS host
      // ("onedrive stops syncing on my session host").
      otherProduct:
        ((signs.otherProduct && (!signs.rdpWord || signs.productFirst)) ||
          (signs.supportTool && !signs.rdpWord) ||
          signs.watchTool ||
          (signs.appInSession && !codes.some(isRdpOnlyCode)) ||
          (signs.updateResult && symptoms.length === 0)) &&
        rdpFile === null &&
        !codes.some(isLongRdpCode),
      hosts: hosts.length > 0,
      evidence: codes.length > 0 || symptoms.length > 0,
      broken,
      outOfScopeTopic: signs.outOfScopeTopic,
      words: signs.words,
      emoji: isOnlyEmoji(message),
    },
    outOfScopeThreshold,
  );
  const named = strongRdp || signs.rdpWord || gateway !== null;
  // Words already read as something else do not count again as text: a code's name
  // (ERRCONNECT_LOGON_FAILURE) is the code, and what the user says they tried is not the problem.
  const readElsewhere = new Set([
    ...codes.flatMap((code) =>
      (code.name ?? '').split(/_|(?<=[a-z])(?=[A-Z])/).map((part) => part.toLowerCase()),
    ),
    ...mentions.filter((mention) => mention.kind === 'tried').flatMap((mention) => mention.words.split(' ')),
  ]);
  const terms = contentTerms(words).filter((word) => !readElsewhere.has(word));
  const isRdp = intent === 'rdp_failure' || intent === 'rdp_slow_or_quality';
  return {
    intent,
    confidence: Math.round(confidence * 1000) / 1000,
    codes,
    hosts,
    gateway,
    ...(unusable.length > 0 && { unusableHosts: unusable }),
    symptoms,
    ...(mentions.length > 0 && { mentions }),
    ...(rdpFile !== null && { rdpFile }),
    ...(isRdp && !named && { weakRdpSign: signs.remoteWord ? ('remote' as const) : ('none' as const) }),
    ...(terms.length > 0 && { terms }),
    ...(broken && { broken: true as const }),
    ...(signs.noProblem !== undefined &&
      (signs.noProblem === 'solved' || signs.noProblem === 'advice' || codes.length === 0) && {
        noProblem: signs.noProblem,
      }),
  };
}

/**
 * A code only Remote Desktop has: one the knowledge base names, above the small values every
 * program prints ("exited with code 1", "error 4"). An unnamed number after "error code" is no sign.
 */
function isRdpOnlyCode(code: Understanding['codes'][number]): boolean {
  return code.name !== undefined && Number.parseInt(code.value.slice(2), 16) >= 0x10;
}

function isLongRdpCode(code: Understanding['codes'][number]): boolean {
  return isRdpOnlyCode(code) && Number.parseInt(code.value.slice(2), 16) >= 0x1000;
}

function withoutNames(text: string, names: readonly string[]): string {
  let rest = text;
  for (const name of names) {
    if (name.length < 3) continue;
    rest = rest.split(name).join(' ');
    const lower = name.toLowerCase();
    if (lower !== name) rest = rest.split(lower).join(' ');
  }
  return rest;
}

function hostIndexFor(inventory: readonly InventoryName[]): HostIndex {
  let index = indexes.get(inventory);
  if (!index) {
    index = createHostIndex(inventory);
    indexes.set(inventory, index);
  }
  return index;
}
