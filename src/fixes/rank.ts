import type { Finding } from '../report/finding.js';
import type { FeedbackStats, RankedFix } from '../report/ranked-fix.js';
import type { Understanding } from '../report/understanding.js';
import { loadBuiltinKnowledgeBase } from './builtin-kb.js';
import { type Contribution, type Evidence, gatherEvidence } from './gather-evidence.js';
import type { Fix, KnowledgeBase } from './knowledge-base.js';
import { fillPlaceholders, renderStep, type SnippetValues } from './render-snippet.js';

export const GENERIC_REASON =
  'Nothing in the message or the probe results points at one cause: these are the first steps for any Remote Desktop failure';

/**
 * Ranks the fix catalogue for one message: code priors + symptom matches + probe evidence, times
 * a feedback factor. Pure and deterministic: the same input gives the same list, ties broken by
 * catalogue order. Never empty for an RDP failure: at worst the generic first steps.
 */
export function rank(
  understanding: Understanding,
  findings: Finding[],
  stats: FeedbackStats = {},
  kb: KnowledgeBase = loadBuiltinKnowledgeBase(),
): RankedFix[] {
  const { weights } = kb.rules;
  const evidence = gatherEvidence(kb, understanding, findings);
  const beliefs = new Map<string, number>();
  for (const [cause, contributions] of evidence.causes) {
    beliefs.set(cause, sum(contributions) * (evidence.dampen.get(cause)?.factor ?? 1));
  }

  const candidates = new Set<Fix>();
  for (const [cause, belief] of beliefs) {
    if (belief > 0) for (const { fix } of kb.fixesByCause.get(cause) ?? []) candidates.add(fix);
  }
  for (const id of evidence.fixes.keys()) {
    const fix = kb.fixById.get(id);
    if (fix) candidates.add(fix);
  }

  // A fix for one platform (xrdp, FreeRDP, RDP Wrapper) is offered only when the message shows it.
  const cues = new Set((understanding.mentions ?? []).filter((m) => m.kind === 'cue').map((m) => m.id));
  for (const fix of candidates) {
    if (fix.onlyWith && !fix.onlyWith.some((cue) => cues.has(cue))) candidates.delete(fix);
  }
  const codes = feedbackKeys(understanding);
  const scored: { fix: Fix; score: number; reasons?: string[]; notes?: string[] }[] = [];
  for (const fix of candidates) {
    const score = scoreFix(fix, beliefs, evidence, weights.breadth);
    if (score <= 0) continue;
    const feedback = feedbackFactor(kb, stats, codes, fix.id);
    const tried = evidence.tried.get(fix.id);
    const final =
      score *
      feedback.factor *
      weights.riskFactor[fix.risk] *
      (tried === undefined ? 1 : weights.triedFactor);
    const notes = [feedback.reason, tried && `You wrote you already tried this ("${tried}"): ranked lower`];
    const note = notes.filter((n): n is string => typeof n === 'string' && n.length > 0);
    if (final >= weights.minScore)
      scored.push({ fix, score: final, ...(note.length > 0 && { notes: note }) });
  }
  if (scored.length === 0 && needsAnswer(understanding, findings)) {
    for (const fix of kb.fixes) {
      if (fix.generic) scored.push({ fix, score: weights.genericScore, reasons: [GENERIC_REASON] });
    }
  }
  const order = (fix: Fix) => kb.fixOrder.get(fix.id) ?? Number.MAX_SAFE_INTEGER;
  scored.sort((a, b) => b.score - a.score || order(a.fix) - order(b.fix));
  // The cap keeps replies short, but a fix listed for the message's own code (the 0x904 guide)
  // is never cut: it follows the top ones in its ranked order.
  const direct = new Set(
    understanding.codes.flatMap((code) => (kb.fixesByCode.get(code.value) ?? []).map((fix) => fix.id)),
  );
  const kept = scored.filter((entry, index) => index < weights.maxFixes || direct.has(entry.fix.id));
  const values = snippetValues(understanding);
  return kept.map(({ fix, score, reasons, notes }) => {
    const why = reasons ?? reasonsFor(fix, beliefs, evidence, weights.maxReasons);
    return toRankedFix(fix, score, notes ? [...why, ...notes] : why, values);
  });
}

function scoreFix(fix: Fix, beliefs: Map<string, number>, evidence: Evidence, breadth: number): number {
  // The fix's best-matching cause counts fully, the others by `breadth`: a diagnostic step that
  // covers many weak suspects wins until the evidence singles one cause out.
  let best = 0;
  let total = 0;
  for (const cause in fix.causes) {
    const weight = fix.causes[cause] ?? 0;
    const belief = beliefs.get(cause) ?? 0;
    if (belief <= 0 || weight <= 0) continue;
    const part = belief * weight;
    total += part;
    if (part > best) best = part;
  }
  let score = best + breadth * (total - best);
  for (const c of evidence.fixes.get(fix.id) ?? []) score += c.amount;
  return score;
}

/** Reasons for a kept fix only: one per source (a code, a finding, a symptom), strongest first. */
function reasonsFor(
  fix: Fix,
  beliefs: Map<string, number>,
  evidence: Evidence,
  maxReasons: number,
): string[] {
  const bySource = new Map<string, { total: number; best: Contribution }>();
  const add = (c: Contribution, amount: number) => {
    const seen = bySource.get(c.source);
    if (!seen) bySource.set(c.source, { total: amount, best: { ...c, amount } });
    else {
      seen.total += amount;
      if (amount > seen.best.amount) seen.best = { ...c, amount };
    }
  };
  for (const cause in fix.causes) {
    const weight = fix.causes[cause] ?? 0;
    if ((beliefs.get(cause) ?? 0) <= 0 || weight <= 0) continue;
    for (const c of evidence.causes.get(cause) ?? []) if (c.amount > 0) add(c, c.amount * weight);
  }
  for (const c of evidence.fixes.get(fix.id) ?? []) if (c.amount > 0) add(c, c.amount);
  return [...bySource.values()]
    .sort(
      (a, b) =>
        b.total - a.total || (a.best.reason < b.best.reason ? -1 : a.best.reason > b.best.reason ? 1 : 0),
    )
    .slice(0, maxReasons)
    .map(({ best }) => best.reason);
}

/** Feedback counts for the message's codes (or `*` without codes), smoothed so one vote cannot bury a fix. */
function feedbackFactor(
  kb: KnowledgeBase,
  stats: FeedbackStats,
  codes: string[],
  fixId: string,
): { factor: number; reason?: string } {
  let helped = 0;
  let notHelped = 0;
  for (const code of codes) {
    const counts = stats[code]?.[fixId];
    if (!counts) continue;
    helped += Math.max(0, counts.helped);
    notHelped += Math.max(0, counts.notHelped);
  }
  if (helped + notHelped === 0) return { factor: 1 };
  const { priorHelped, priorNotHelped, floor, ceiling } = kb.rules.feedback;
  const rate = (helped + priorHelped) / (helped + notHelped + priorHelped + priorNotHelped);
  const factor = Math.min(ceiling, Math.max(floor, 2 * rate));
  const where = codes[0] === '*' ? 'messages without a code' : codes.join(' / ');
  return { factor, reason: `Feedback for ${where}: helped ${helped} of ${helped + notHelped} times` };
}

function feedbackKeys(understanding: Understanding): string[] {
  const codes = [...new Set(understanding.codes.map((code) => code.value.toLowerCase()))];
  return codes.length > 0 ? codes : ['*'];
}

function needsAnswer(understanding: Understanding, findings: Finding[]): boolean {
  return (
    understanding.intent === 'rdp_failure' ||
    understanding.intent === 'rdp_slow_or_quality' ||
    understanding.codes.length > 0 ||
    findings.length > 0
  );
}

/** A catalogue fix as shown to the user, placeholders filled from the message. */
export function toRankedFix(fix: Fix, score: number, reasons: string[], values: SnippetValues): RankedFix {
  const verify = renderStep(fix.verify, values);
  return {
    id: fix.id,
    title: fillPlaceholders(fix.title, 'prose', values),
    score: Math.round(score * 100) / 100,
    reasons,
    steps: [
      ...fix.steps.map((step) => renderStep(step, values)),
      { ...verify, text: `Verify: ${verify.text}` },
    ],
    audience: fix.audience,
    risk: fix.risk,
    ...(fix.when !== undefined && { when: fix.when }),
  };
}

export function snippetValues(understanding: Understanding): SnippetValues {
  const host = understanding.hosts[0];
  const main = understanding.codes.find((code) => code.role !== 'extended');
  const extended = understanding.codes.find((code) => code.role === 'extended');
  const decimal = (value: string | undefined) =>
    value !== undefined && /^0x[0-9a-f]{1,8}$/i.test(value) ? Number.parseInt(value.slice(2), 16) : null;
  return {
    host: host?.name ?? null,
    port: host?.port ?? 3389,
    gateway: understanding.gateway ?? null,
    codeDec: decimal(main?.value),
    extDec: decimal(extended?.value),
  };
}

function sum(contributions: Contribution[]): number {
  let total = 0;
  for (const c of contributions) total += c.amount;
  return total;
}
