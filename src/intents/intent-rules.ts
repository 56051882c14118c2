import { INTENTS, type Intent, type NoProblem } from '../report/understanding.js';
import { intentData } from './intent-data.js';
import { createPhraseIndex, type PhraseHit, type PhraseIndex } from './message-words.js';

/**
 * The rule half of the hybrid classifier: the naive Bayes proposes probabilities, what the
 * extractors found disposes. scripts/eval-intents.ts shows why: Bayes alone favours the small
 * classes (help, feedback) for words it never saw, and cannot know that "0x904" is an RDP code.
 */

/**
 * Below this probability a message with no sign of Remote Desktop (no RDP word, known code, host,
 * gateway or .rdp file) is out of scope. Chosen on the dev split by scripts/eval-intents.ts.
 */
export const OUT_OF_SCOPE_THRESHOLD = 0.9;
/**
 * A word Remote Desktop shares with other tools ("remote pc", "remote session") lowers the bar
 * to this: the classifier must still lean to an RDP problem, but need not be very sure.
 */
export const REMOTE_WORD_THRESHOLD = 0.6;
// Windows Update / servicing / Store HRESULTs (0x800f…, 0x8024…, 0x80073…, Store 0x803f…), setup
// rollbacks (0xc1900101…), activation (0xc004f074, Office 0x8004fc12), Office Click-to-Run codes
// ("30088-26", "30015-11") and KB numbers are never Remote Desktop codes: a message built around
// them is about updates, installs or licences of another product.
const UPDATE_RESULT =
  /\b0x8(?:00f|024|0073|03f)[0-9a-f]{3,4}\b|\b0xc19[0-9a-f]{5}\b|\b0xc004[0-9a-f]{4}\b|\b0x8004fc[0-9a-f]{2}\b|\b30\d{3}-\d{1,5}\b/i;
const UPDATE_CODE = new RegExp(`\\bkb\\d{6,7}\\b|${UPDATE_RESULT.source}`, 'i');
/**
 * Command-line switches only RDP clients take (`mstsc /?`, `xfreerdp --help`): "/multimon",
 * "/v:host", "/cert:tofu", "+clipboard". Generic ones (/f, /u:, /p:) are left out: `net use /u:`
 * maps a share.
 */
const RDP_CLIENT_SWITCH =
  /(?:^|\s)(?:\/(?:v:|multimon\b|span\b|restrictedadmin\b|remoteguard\b|shadow:|cert[:-]|sec:|gfx\b|rfx\b|dynamic-resolution\b|app:|gateway:|gu:|gd:|gp:|monitors:)|\+clipboard\b)/;
/** Help is asked in a few words ("help", "what can you do?"); a longer message is a report. */
const MAX_HELP_WORDS = 12;
/** Feedback is a short reaction to an answer; a long message is a new report. */
const MAX_FEEDBACK_WORDS = 25;

type SignKey =
  | 'rdp'
  | 'remote'
  | 'other_product'
  | 'support_tool'
  | 'watch_tool'
  | 'works'
  | 'announcement'
  | 'session_app'
  | 'request'
  | 'out_of_scope'
  | 'question'
  | 'normality'
  | 'wish'
  | 'configure'
  | 'remedy'
  | 'solved'
  | 'shares'
  | 'failure';
interface Signs {
  index: PhraseIndex<SignKey>;
  rdpSymptoms: string[];
  questionSafeSymptoms: string[];
}
let signIndex: Signs | undefined;

export interface MessageSigns {
  /** A known RDP code or an .rdp file: certainly about Remote Desktop. */
  strongRdp: boolean;
  /** An RDP word, a gateway, or one of the above. */
  rdp: boolean;
  /** A word Remote Desktop shares with other tools ("remote desktop", "remote pc"): a weak sign. */
  remote?: boolean;
  /**
   * Another remote-access product (VNC, TeamViewer, Citrix, Chrome Remote Desktop, SSH…) named
   * without an RDP word, code or .rdp file: the message is about that product.
   */
  otherProduct: boolean;
  /** Hosts were named. */
  hosts: boolean;
  /** An error code or a symptom phrase was found (either can be another tool's). */
  evidence?: boolean;
  /** A failure word or symptom, and the message does not say it is solved. */
  broken?: boolean;
  /** An out-of-scope topic word (VPN, Outlook, printer, …). */
  outOfScopeTopic: boolean;
  words: number;
  /** Only emoji. */
  emoji: boolean;
}

const EMOJI = /\p{Extended_Pictographic}/u;

/**
 * Reads the word-level signs of a message (lower-cased, punctuation-insensitive): RDP words or
 * symptoms only Remote Desktop has (CredSSP, "configuring remote session"), out-of-scope topics,
 * and the length in words (an emoji counts as one).
 */
export function readSigns(
  words: string,
  text: string,
  symptomHits: readonly PhraseHit<string>[],
): {
  rdpWord: boolean;
  remoteWord: boolean;
  otherProduct: boolean;
  supportTool: boolean;
  /** A tool that watches RDP logons (IPBan, fail2ban): the message is about the tool. */
  watchTool: boolean;
  /**
   * An update, install or activation result code (0x800f0922, 0xc1900101, 30088-26): the
   * message is about that, even on an RDS host. A KB number is not one: "since KB5034441 rdp
   * shows a black screen" is an RDP problem after an update.
   */
  updateResult: boolean;
  /** An application named first, RDP only as where it runs ("outlook on the rds host"). */
  appInSession: boolean;
  productFirst: boolean;
  outOfScopeTopic: boolean;
  /** Asks or wishes and names nothing broken, or says it is solved (Understanding.noProblem). */
  noProblem: NoProblem | undefined;
  /** A failure word ("fails", "stopped working", "access denied") or a failure symptom. */
  broken: boolean;
  words: number;
} {
  let count = 0;
  if (words.trim() !== '') for (let i = 1; i < words.length; i++) if (words.charCodeAt(i) === 32) count++;
  // "chrome remote desktop" hits both a product and a remote word: the product decides (decideIntent).
  const signs = loadSigns();
  // "no issues so far", "without errors": a failure word after "no" / "without" says it is absent.
  const hits = withoutWorkingSide(words, signs.index.findAll(words)).filter(
    (hit) => hit.key !== 'failure' || !precededBy(words, hit.at, ABSENT_MARKERS),
  );
  const found = hits.map((hit) => hit.key);
  const symptoms = symptomHits.map((hit) => hit.key);
  const at = (key: SignKey) => hits.find((hit) => hit.key === key)?.at ?? Number.POSITIVE_INFINITY;
  const times = (key: SignKey) => hits.filter((hit) => hit.key === key).length;
  const announces = hits.some(
    (hit) => hit.key === 'announcement' && !precededBy(words, hit.at, PAST_MARKERS),
  );
  const { signHits, symptomsMeant } = withoutWantedBehaviour(hits, symptomHits);
  const solvedHits = signHits.filter((hit) => hit.key !== 'solved' || !negatedAt(words, hit.at));
  return {
    rdpWord:
      found.includes('rdp') ||
      text.includes('.rdp') ||
      RDP_CLIENT_SWITCH.test(text) ||
      symptoms.some((s) => signs.rdpSymptoms.includes(s)),
    remoteWord: found.includes('remote'),
    otherProduct: found.includes('other_product'),
    supportTool: found.includes('support_tool'),
    watchTool: found.includes('watch_tool'),
    updateResult: UPDATE_RESULT.test(text),
    appInSession: isAppInSession(words, hits),
    productFirst: at('other_product') < at('rdp') && times('other_product') >= times('rdp'),
    outOfScopeTopic: found.includes('out_of_scope') || UPDATE_CODE.test(text),
    broken: isBroken(found, symptoms, signs),
    noProblem: announces
      ? 'announcement'
      : readNoProblem(
          solvedHits.map((hit) => hit.key),
          text,
          count,
          symptomsMeant,
          signs,
        ),
    words: count,
  };
}

/** Words before an RDP word that make it the place something else runs: "on the rds host", "from the terminal server". */
const PLACE_WORDS = ['in', 'on', 'inside', 'within', 'into', 'from'];
const DETERMINERS = ['the', 'my', 'our', 'a', 'an', 'your', 'their', 'this', 'that'];

function isAppInSession(words: string, hits: readonly PhraseHit<SignKey>[]): boolean {
  const app = hits.find((hit) => hit.key === 'session_app');
  // "remote desktop session host" also holds "session host": a phrase inside another is no
  // second mention.
  const rdp = hits
    .filter((hit) => hit.key === 'rdp' || hit.key === 'remote')
    .filter(
      (hit, _, all) =>
        !all.some(
          (o) =>
            o !== hit &&
            o.at <= hit.at &&
            hit.at < o.at + o.phrase.length &&
            (o.at < hit.at || o.phrase.length > hit.phrase.length),
        ),
    );
  if (app === undefined || rdp.length === 0 || (rdp[0]?.at ?? 0) < app.at) return false;
  return rdp.every((hit) => {
    const before = wordsBefore(words, hit.at);
    const last = before.at(-1) ?? '';
    const place = DETERMINERS.includes(last) ? before.at(-2) : last;
    return PLACE_WORDS.includes(place ?? '');
  });
}

const ABSENT_MARKERS = ['no', 'without'];

/** Words before a phrase that put it in the past: "since the maintenance window rdp fails". */
const PAST_MARKERS = ['since', 'after', 'during', 'before'];
/** How far after a product a working phrase still speaks of it: "vnc on port 8006 is fine". */
const WORKING_SPAN_WORDS = 3;

/**
 * "vnc console works but rdp doesn't connect": when both an RDP word and another product are
 * named, the one said to work is the control of the comparison, not the topic. Its hits are
 * dropped as long as the other side keeps one; a negated working phrase ("doesn't work") is no
 * such statement.
 */
function withoutWorkingSide(words: string, hits: readonly PhraseHit<SignKey>[]): PhraseHit<SignKey>[] {
  const working = hits.filter((hit) => hit.key === 'works' && !negatedAt(words, hit.at));
  const saidToWork = (hit: PhraseHit<SignKey>) => {
    const end = hit.at + hit.phrase.length;
    return working.some(
      (w) => w.at >= end && words.slice(end, w.at).trim().split(' ').length <= WORKING_SPAN_WORDS,
    );
  };
  // A shared word ("remote desktop", "krdc") stands on the RDP side of such a comparison.
  const sides: SignKey[][] = [['rdp', 'remote'], ['other_product']];
  const drop = new Set<PhraseHit<SignKey>>();
  for (const side of sides) {
    const other = sides.find((keys) => keys !== side) ?? [];
    const ours = hits.filter((hit) => side.includes(hit.key));
    const theirs = hits.filter((hit) => other.includes(hit.key) && !saidToWork(hit));
    if (ours.length > 0 && theirs.length > 0 && ours.every(saidToWork)) for (const hit of ours) drop.add(hit);
  }
  // An application said to work ("onedrive is fine, but in the rdp session the clipboard fails")
  // is not what the message is about either.
  for (const hit of hits) if (hit.key === 'session_app' && saidToWork(hit)) drop.add(hit);
  return hits.filter((hit) => !drop.has(hit) && hit.key !== 'works');
}

/**
 * "where do i set it to drop idle connections", "would it be possible to add a disconnect option
 * … users reconnect": failure words and symptoms after a configure or wish phrase are the
 * behaviour asked for, unless the message asks to stop, prevent or fix something.
 */
function withoutWantedBehaviour(
  hits: readonly PhraseHit<SignKey>[],
  symptomHits: readonly PhraseHit<string>[],
): { signHits: readonly PhraseHit<SignKey>[]; symptomsMeant: readonly string[] } {
  const wanted = hits.find((hit) => hit.key === 'configure' || hit.key === 'wish' || hit.key === 'request');
  const allSymptoms = symptomHits.map((hit) => hit.key);
  if (wanted === undefined || hits.some((hit) => hit.key === 'remedy'))
    return { signHits: hits, symptomsMeant: allSymptoms };
  const asks = hits.some((hit) => hit.key === 'question' || hit.key === 'wish' || hit.key === 'request');
  return {
    signHits: [
      ...hits.filter((hit) => hit.key !== 'failure' || hit.at < wanted.at),
      ...(asks ? [] : [{ ...wanted, key: 'question' as const }]),
    ],
    symptomsMeant: symptomHits.filter((hit) => hit.at < wanted.at).map((hit) => hit.key),
  };
}

/** The words just before a phrase that starts at `at` (what fits in 24 characters). */
function wordsBefore(words: string, at: number): string[] {
  return words
    .slice(Math.max(0, at - 24), at)
    .trim()
    .split(' ');
}

/** One of `markers` in the two words before a phrase. */
function precededBy(words: string, at: number, markers: readonly string[]): boolean {
  return wordsBefore(words, at)
    .slice(-2)
    .some((word) => markers.includes(word));
}

/** "not working again" is no "working again": a negation in the two words before a phrase. */
function negatedAt(words: string, at: number): boolean {
  return wordsBefore(words, at)
    .slice(-2)
    .some(
      (word) =>
        word === 'not' || word === 'never' || word === 'no' || word === 'nothing' || word.endsWith("n't"),
    );
}

function isBroken(found: readonly SignKey[], symptoms: readonly string[], signs: Signs): boolean {
  return found.includes('failure') || symptoms.some((s) => !signs.questionSafeSymptoms.includes(s));
}

/** Messages this short that say the problem is gone are reports of a fix, not of a failure. */
const MAX_SOLVED_WORDS = 25;
/**
 * A message that shares a finding or gives advice ("psa: …", "for anyone searching later: …",
 * "have you tried …") tells the channel a fix; nobody in it asks for help. (A solved phrase at the end of a long message is no such sign: "uninstall
 * it and the name works again" says what works around a problem that is still there.)
 */
const MAX_SHARED_WORDS = 60;

function readNoProblem(
  found: readonly SignKey[],
  text: string,
  words: number,
  symptoms: readonly string[],
  signs: Signs,
): NoProblem | undefined {
  if (found.includes('solved') && words <= MAX_SOLVED_WORDS) return 'solved';
  if (found.includes('shares') && words <= MAX_SHARED_WORDS) return 'advice';
  // "…, is that normal?" asks about the behaviour it names.
  if (found.includes('normality')) return 'question';
  if (isBroken(found, symptoms, signs)) return undefined;
  if (found.includes('request')) return 'request';
  if (found.includes('wish')) return 'wish';
  if (found.includes('question') || text.includes('?')) return 'question';
  return undefined;
}

/** True when the message is only emoji (👍, 👎): a reaction, hence feedback. */
export function isOnlyEmoji(text: string): boolean {
  if (text.length > 64) return false;
  const rest = text.replace(/(?:\s|\u200d|\ufe0f)+/g, '');
  return rest !== '' && [...rest].every((char) => EMOJI.test(char));
}

export function decideIntent(
  probabilities: Record<Intent, number>,
  message: MessageSigns,
  threshold = OUT_OF_SCOPE_THRESHOLD,
): { intent: Intent; confidence: number } {
  const allowed = INTENTS.filter((intent) => {
    if (intent === 'out_of_scope') return !message.rdp;
    if (intent === 'help') return !message.strongRdp && !message.hosts && message.words <= MAX_HELP_WORDS;
    // "rdp stopped working on 18362.1316, can anyone help?" names RDP and a failure: a report,
    // however short and polite.
    if (intent === 'feedback')
      return !message.strongRdp && message.words <= MAX_FEEDBACK_WORDS && !(message.rdp && message.broken);
    return true;
  });
  // 👍 / 👎 alone react to an answer; "?" alone asks what this is.
  if (message.emoji) return { intent: 'feedback', confidence: 1 };
  if (message.words === 0 && !message.hosts) return { intent: 'help', confidence: 1 };
  if (message.otherProduct)
    return { intent: 'out_of_scope', confidence: Math.max(probabilities.out_of_scope, 0.9) };
  if (!message.rdp && message.outOfScopeTopic)
    return { intent: 'out_of_scope', confidence: Math.max(probabilities.out_of_scope, 0.9) };
  const total = allowed.reduce((sum, intent) => sum + probabilities[intent], 0) || 1;
  const ranked = [...allowed].sort((a, b) => probabilities[b] - probabilities[a]);
  const intent = ranked[0] ?? 'rdp_failure';
  const confidence = probabilities[intent] / total;
  const isRdp = intent === 'rdp_failure' || intent === 'rdp_slow_or_quality';
  // Words like "can't connect", "error code", "black screen" belong to every tool: without any
  // sign of Remote Desktop (an RDP word or code, a gateway, a host) the classifier is not trusted
  // to call it one unless it is very sure.
  const bar = message.remote ? Math.min(threshold, REMOTE_WORD_THRESHOLD) : threshold;
  // Nothing at all of Remote Desktop (no RDP or remote word, host, code or symptom): the
  // classifier alone, however sure, is reading words every tool and errand shares ("the dock
  // won't turn on", "installing office fails").
  const bare = !message.rdp && !message.hosts && !message.remote && message.evidence === false;
  if (isRdp && (bare || (!message.rdp && !message.hosts && confidence < bar))) {
    return { intent: 'out_of_scope', confidence: 1 - confidence };
  }
  // A failure and a quality problem are both RDP problems: how sure we are that it is one is the
  // two together ("after login it's just a blank screen" leans half to each).
  if (isRdp)
    return {
      intent,
      confidence: (probabilities.rdp_failure + probabilities.rdp_slow_or_quality) / total,
    };
  return { intent, confidence };
}

/** The phrase index of data/intent-signs.yaml, built on first use. */
function loadSigns(): Signs {
  if (signIndex) return signIndex;
  const data = intentData().signs;
  signIndex = {
    index: createPhraseIndex<SignKey>([
      ...data.rdpWords.map((phrase) => ({ key: 'rdp' as const, phrase })),
      ...data.remoteWords.map((phrase) => ({ key: 'remote' as const, phrase })),
      ...data.otherProducts.map((phrase) => ({ key: 'other_product' as const, phrase })),
      ...data.remoteSupportWords.map((phrase) => ({ key: 'support_tool' as const, phrase })),
      ...data.rdpWatchTools.map((phrase) => ({ key: 'watch_tool' as const, phrase })),
      ...data.workingPhrases.map((phrase) => ({ key: 'works' as const, phrase })),
      ...data.announcementPhrases.map((phrase) => ({ key: 'announcement' as const, phrase })),
      ...data.sessionApps.map((phrase) => ({ key: 'session_app' as const, phrase })),
      ...data.requestPhrases.map((phrase) => ({ key: 'request' as const, phrase })),
      ...data.outOfScopeTopics.map((phrase) => ({ key: 'out_of_scope' as const, phrase })),
      ...data.questionPhrases.map((phrase) => ({ key: 'question' as const, phrase })),
      ...data.wishPhrases.map((phrase) => ({ key: 'wish' as const, phrase })),
      ...data.normalityPhrases.map((phrase) => ({ key: 'normality' as const, phrase })),
      ...data.configurePhrases.map((phrase) => ({ key: 'configure' as const, phrase })),
      ...data.remedyWords.map((phrase) => ({ key: 'remedy' as const, phrase })),
      ...data.solvedPhrases.map((phrase) => ({ key: 'solved' as const, phrase })),
      ...data.sharePhrases.map((phrase) => ({ key: 'shares' as const, phrase })),
      ...data.failureWords.map((phrase) => ({ key: 'failure' as const, phrase })),
    ]),
    rdpSymptoms: data.rdpSymptoms,
    questionSafeSymptoms: data.questionSafeSymptoms,
  };
  return signIndex;
}
