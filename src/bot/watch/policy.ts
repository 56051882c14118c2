import { DEFAULT_WATCH_MIN_CONFIDENCE } from '../../config/watch-defaults.js';
import type { NoProblem, Understanding } from '../../report/understanding.js';

/**
 * Whether the bot answers a message in a watched channel without being asked. Pure.
 *
 * Precision beats recall here: a bot that answers "good morning" is muted within a day. So it
 * answers only a new top-level message that nobody from the helpdesk has answered yet, that the
 * classifier calls a Remote Desktop problem — a failure, or a quality problem such as a black
 * screen or disconnects — with confidence at or above the threshold, and that shows the problem:
 * an error code or a symptom. A host name alone is not enough — "who owns srv-fin-02? need RDP
 * access" and "RDP to srv-fin-02 works again, thanks!" name hosts too.
 */
export interface WatchContext {
  /** A top-level message, not a reply inside a thread. */
  topLevel: boolean;
  /** Someone other than the poster (and other than this bot) already replied in its thread. */
  answeredByOthers: boolean;
}

export type WatchDecision =
  | { answer: true; reason: string }
  | {
      answer: false;
      code: 'thread-reply' | 'already-answered' | 'not-rdp-problem' | 'low-confidence' | 'nothing-to-triage';
      reason: string;
    };

/** First words of a question: with no code, symptom or cue shown, such a message asks rather than reports. */
const QUESTION_OPENERS = new Set([
  'who',
  'whom',
  'whose',
  'where',
  'what',
  'which',
  'how',
  'can',
  'could',
  'may',
  'does',
  'do',
  'is',
  'are',
  'anyone',
  'any',
]);

const NO_PROBLEM_REASONS: Record<NoProblem, string> = {
  question: 'a question about Remote Desktop, nothing in it is broken',
  wish: 'a wish for a Remote Desktop feature, nothing in it is broken',
  request: 'it asks the helpdesk for an errand (access, a group), nothing in it is broken',
  solved: 'it says the problem is solved',
  advice: 'it shares a finding or gives advice to others, nobody asks for help',
  announcement: 'it announces planned work or an incident the helpdesk already handles',
};

/** How sure the classifier must be to answer a report that names RDP but holds no code, symptom or cue. */
export const PLAIN_REPORT_CONFIDENCE = 0.9;
/** How sure the classifier must be when the message names RDP and shows a code, symptom or cue. */
export const NAMED_WITH_EVIDENCE_CONFIDENCE = 0.7;

export function decideUnasked(
  understanding: Understanding,
  context: WatchContext,
  minConfidence: number = DEFAULT_WATCH_MIN_CONFIDENCE,
): WatchDecision {
  const no = (code: Extract<WatchDecision, { answer: false }>['code'], reason: string): WatchDecision => ({
    answer: false,
    code,
    reason,
  });
  if (!context.topLevel) return no('thread-reply', 'a reply inside a thread');
  if (context.answeredByOthers) return no('already-answered', 'someone already answered it');
  const { intent, confidence } = understanding;
  if (intent !== 'rdp_failure' && intent !== 'rdp_slow_or_quality')
    return no('not-rdp-problem', `not a Remote Desktop problem (read as ${intent})`);
  // Unasked, the classifier's word alone is not enough: a message that names nothing of Remote
  // Desktop ("please issue Lee a new laptop") is left to the people in the channel.
  // "is there a way to span mremoteng across monitors?" asks about RDP; nothing in it is broken.
  if (understanding.noProblem !== undefined)
    return no('nothing-to-triage', NO_PROBLEM_REASONS[understanding.noProblem]);
  if (understanding.weakRdpSign === 'none')
    return no('not-rdp-problem', 'nothing in it names Remote Desktop (no RDP word, code or gateway)');
  const sure = `${confidence.toFixed(2)}`;
  // A message that names RDP itself and carries a code, symptom or cue needs less of the
  // classifier: the words already say what it is.
  const named = understanding.weakRdpSign === undefined;
  const evidence =
    understanding.codes.length > 0 ||
    understanding.symptoms.length > 0 ||
    (understanding.mentions ?? []).length > 0;
  const bar = named && evidence ? Math.min(minConfidence, NAMED_WITH_EVIDENCE_CONFIDENCE) : minConfidence;
  if (confidence < bar)
    return no(
      'low-confidence',
      `a Remote Desktop problem, but only ${sure} sure (watch.minConfidence ${minConfidence})`,
    );
  // What the user wrote that ranking can use: codes, symptoms, and cues about the situation
  // ("copy paste", "no sound", "through the gateway"). Their own words are quoted.
  const shown = [
    ...understanding.codes.map((code) => code.value),
    ...(understanding.mentions ?? [])
      .filter((mention) => mention.kind !== 'tried')
      .map((mention) => `"${mention.words}"`),
  ];
  if (shown.length === 0) shown.push(...understanding.symptoms.map((symptom) => symptom.replace(/_/g, ' ')));
  // A message that names Remote Desktop, says something is wrong and reads, very surely, as a
  // failure report is one even when none of our symptom phrases caught its wording ("rdp connects
  // but wont let me into my desktop"). One that says nothing is wrong only talks about RDP ("we
  // disabled rdp on the workstations last week", "i wrote a script for stuck rdp sessions").
  // A message that opens as a question ("who owns srv-lab-01? need RDP access", "how do I …")
  // and shows nothing of a failure asks something; it is no failure report.
  const asks = QUESTION_OPENERS.has(understanding.terms?.[0] ?? '');
  const plainReport =
    understanding.weakRdpSign === undefined &&
    understanding.broken === true &&
    confidence >= PLAIN_REPORT_CONFIDENCE &&
    !asks;
  if (shown.length === 0 && !plainReport)
    return no('nothing-to-triage', 'no error code or symptom to triage');
  if (shown.length === 0) shown.push('names Remote Desktop');
  const what = intent === 'rdp_failure' ? 'a Remote Desktop failure' : 'a Remote Desktop quality problem';
  return { answer: true, reason: `${what} (${sure} sure): ${shown.slice(0, 4).join(', ')}` };
}
