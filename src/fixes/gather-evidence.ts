import type { Finding } from '../report/finding.js';
import type { Understanding } from '../report/understanding.js';
import { matchFixText } from './fix-text-index.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { matchCases } from './match-cases.js';
import { type ResolvedCode, ROLE_LABELS, resolveCode } from './resolve-code.js';

/** One piece of evidence for a cause or a fix: how much, and the sentence a person reads. */
export interface Contribution {
  amount: number;
  reason: string;
  /** What the evidence came from (`code:0x904`, `finding:TCP_REFUSED`): one reason per source. */
  source: string;
}

/** Everything ranking knows before scoring fixes: beliefs per cause, direct adjustments per fix. */
export interface Evidence {
  causes: Map<string, Contribution[]>;
  fixes: Map<string, Contribution[]>;
  resolved: ResolvedCode[];
  unknownCodes: boolean;
  /** Fix id → the user's words saying they already tried it ("already cleared the saved credentials"). */
  tried: Map<string, string>;
  /** Cause id → factor on its whole belief, from cues that rule it (nearly) out; the smallest wins. */
  dampen: Map<string, { factor: number; reason: string }>;
}

const HEALTHY_STATUSES = new Set(['ok', 'warn', 'skipped']);

export function gatherEvidence(
  kb: KnowledgeBase,
  understanding: Understanding,
  findings: Finding[],
): Evidence {
  const evidence: Evidence = {
    causes: new Map(),
    fixes: new Map(),
    resolved: [],
    unknownCodes: false,
    tried: new Map(),
    dampen: new Map(),
  };
  const { weights } = kb.rules;
  // Every contribution is tagged with the piece of evidence it came from (set before each piece).
  let source = '';
  const addCause = (cause: string, amount: number, reason: string) =>
    push(evidence.causes, cause, { amount, reason, source });
  const addFix = (fix: string, amount: number, reason: string) =>
    push(evidence.fixes, fix, { amount, reason, source });
  // Every rule moves causes and fixes the same way; message priors are scaled by `prior` below.
  const applyRule = (
    rule: { causes: Record<string, number>; fixes: Record<string, number> },
    reason: string,
    scale = 1,
  ) => {
    for (const [cause, amount] of Object.entries(rule.causes)) addCause(cause, amount * scale, reason);
    for (const [fix, amount] of Object.entries(rule.fixes)) addFix(fix, amount * scale, reason);
  };

  for (const code of understanding.codes) {
    const resolved = resolveCode(kb, code);
    source = `code:${code.role}:${code.value}`;
    evidence.resolved.push(resolved);
    const label = ROLE_LABELS[resolved.entry?.kind ?? code.role];
    if (resolved.entry) {
      const entry = resolved.entry;
      const prior = weights.codePrior[entry.kind] * entry.weight;
      const what = `${label} ${resolved.value}${entry.name ? ` (${entry.name})` : ''}`;
      entry.causes.forEach((cause, index) => {
        addCause(cause, prior * weights.causeDecay ** index, `${what} points at: ${describe(kb, cause)}`);
      });
      for (const fix of kb.fixesByCode.get(resolved.value) ?? []) {
        addFix(fix.id, weights.directCode, `Listed for ${what}`);
      }
      continue;
    }
    evidence.unknownCodes = true;
    const unknown = `${label} ${resolved.value} is not in the knowledge base`;
    if (resolved.assumed) {
      const twin = resolved.assumed.entry;
      const prior = weights.codePrior[twin.kind] * weights.assumedCodeFactor;
      const reading = `${unknown}; read as decimal ${resolved.assumed.decimal} it is ${twin.value}${twin.name ? ` (${twin.name})` : ''}`;
      twin.causes.forEach((cause, index) => {
        addCause(
          cause,
          prior * weights.causeDecay ** index,
          `${reading}, which points at: ${describe(kb, cause)}`,
        );
      });
    }
    for (const family of resolved.families) {
      const prior = weights.codePrior.disconnect * weights.familyFactor;
      family.causes.forEach((cause, index) => {
        addCause(cause, prior * weights.causeDecay ** index, `${unknown}; it is in the ${family.meaning}`);
      });
    }
    addCause(
      'unknown',
      // A decimal reading is a guess: decoding the exact pair stays on the list, below the guess.
      weights.codePrior.disconnect * (resolved.assumed ? weights.familyFactor : 1),
      `${unknown}: decode it and read the logs`,
    );
  }

  const failing = findings.some((finding) => !HEALTHY_STATUSES.has(finding.status));
  const prior = failing ? weights.priorsWhenProbesFail : 1;
  const present = new Set(understanding.codes.map((code) => code.value.toLowerCase()));
  for (const pair of kb.rules.codePairs) {
    if (!pair.codes.every((value) => present.has(value))) continue;
    source = `codes:${pair.id}`;
    const reason = `${pair.codes.join(' with ')} together: ${pair.note}`;
    applyRule(pair, reason, prior);
  }

  // The user's own words are quoted back: "You wrote "black screen after login"", not an id.
  const mentions = understanding.mentions ?? [];
  // A symptom that came without the user's words (a screenshot, a caller's Understanding) is named, not quoted.
  const saidOf = (kind: 'symptom' | 'cue', id: string) => {
    const words = mentions.find((mention) => mention.kind === kind && mention.id === id)?.words;
    return words === undefined ? `You reported "${id.replace(/[_-]+/g, ' ')}"` : `You wrote "${clip(words)}"`;
  };
  const symptomHits = new Map<string, string>();
  for (const symptom of understanding.symptoms) {
    const text = symptom.toLowerCase().replace(/[_-]+/g, ' ');
    for (const { rule, pattern } of kb.symptomPatterns) {
      if (symptomHits.has(rule.id) || !pattern.test(text)) continue;
      const said = saidOf('symptom', symptom);
      symptomHits.set(rule.id, said);
      source = `symptom:${rule.id}`;
      const reason = `${said}: ${rule.note}`;
      applyRule(rule, reason);
    }
  }
  const cueWords = new Map<string, string>();
  for (const mention of mentions) {
    if (mention.kind === 'tried') {
      if (!evidence.tried.has(mention.id)) evidence.tried.set(mention.id, mention.words);
      continue;
    }
    const rule = mention.kind === 'cue' ? kb.rules.cues[mention.id] : undefined;
    if (rule === undefined || cueWords.has(mention.id)) continue;
    cueWords.set(mention.id, mention.words);
    source = `cue:${mention.id}`;
    const reason = `You wrote "${clip(mention.words)}": ${rule.note}`;
    applyRule(rule, reason, prior);
    for (const [cause, factor] of Object.entries(rule.dampen)) {
      const seen = evidence.dampen.get(cause);
      if (seen === undefined || factor < seen.factor) evidence.dampen.set(cause, { factor, reason });
    }
  }

  for (const rule of kb.rules.cueCombinations) {
    const cue = rule.cues.find((id) => cueWords.has(id));
    if (cue === undefined) continue;
    const symptom = rule.symptoms.map((id) => symptomHits.get(id)).find((s) => s !== undefined);
    const other = rule.withCues.map((id) => cueWords.get(id)).find((words) => words !== undefined);
    const said = symptom ?? (other === undefined ? undefined : `You wrote "${clip(other)}"`);
    if (said === undefined) continue;
    source = `cues:${rule.id}`;
    const reason = `${said}, with "${clip(cueWords.get(cue) ?? cue)}": ${rule.note}`;
    applyRule(rule, reason, prior);
  }

  // Words no rule knows still find a fix by its own text; live evidence outweighs them like a prior.
  for (const match of matchFixText(kb, understanding.terms ?? [])) {
    source = 'text';
    const reason = `Your words match this fix's description ("${match.words.join('", "')}")`;
    addFix(match.fixId, kb.rules.textMatch.weight * match.similarity * prior, reason);
  }
  // Reports like this one that a fix resolved (cases.yaml): how users say it, not how we do. What
  // fixed another user's machine is a weaker guess than this message's own words, so a failing
  // probe on this one scales it down twice.
  for (const match of matchCases(kb, understanding.terms ?? [])) {
    source = 'cases';
    const reason = `A resolved report worded like yours ("${match.words.join('", "')}") was fixed by this (${match.source})`;
    addFix(match.fixId, kb.rules.caseMatch.weight * match.similarity * prior * prior, reason);
  }

  const applied = new Set<string>();
  for (const finding of findings) {
    const key = ruleKey(kb, finding, understanding.gateway);
    const rule = key === undefined ? undefined : kb.rules.evidence[key];
    if (key === undefined || rule === undefined || applied.has(key)) continue;
    applied.add(key);
    source = `finding:${key}`;
    const reason = `${clip(finding.summary)} (probe ${finding.probe}, ${Math.round(finding.ms)} ms): ${rule.note}`;
    applyRule(rule, reason);
  }

  if (isHealthy(findings, kb.rules.healthy.notWith)) {
    const { healthy } = kb.rules;
    source = 'healthy';
    const reason = `All ${findings.length} probe results are healthy: ${healthy.note}`;
    applyRule(healthy, reason);
  }

  for (const combination of kb.rules.combinations) {
    const finding = findings.find((f) => combination.findings.includes(f.code));
    const symptom = combination.symptoms.map((id) => symptomHits.get(id)).find((s) => s !== undefined);
    if (finding === undefined || symptom === undefined) continue;
    source = `combination:${combination.id}`;
    const reason = `${clip(finding.summary)}; ${symptom.replace(/^You/, 'you')}: ${combination.note}`;
    applyRule(combination, reason);
  }
  return evidence;
}

/** Findings about the gateway use the `gateway/` rules when there is one (a gateway's expired certificate is not the host's). */
function ruleKey(kb: KnowledgeBase, finding: Finding, gateway: string | null): string | undefined {
  const host = finding.target
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  const aboutGateway = finding.probe === 'gateway' || (gateway !== null && host === gateway.toLowerCase());
  if (aboutGateway && kb.rules.evidence[`gateway/${finding.code}`]) return `gateway/${finding.code}`;
  return kb.rules.evidence[finding.code] ? finding.code : undefined;
}

function isHealthy(findings: Finding[], notWith: readonly string[]): boolean {
  return (
    findings.some((f) => f.status === 'ok' && (f.probe === 'tcp' || f.probe === 'rdp')) &&
    // A probe skipped because it could not connect is not a healthy result.
    findings.every(
      (f) =>
        HEALTHY_STATUSES.has(f.status) && !f.code.endsWith('_NOT_CONNECTED') && !notWith.includes(f.code),
    )
  );
}

function describe(kb: KnowledgeBase, cause: string): string {
  const text = kb.causes.get(cause) ?? cause;
  // "The host is …" reads "the host is …" mid-sentence; "TLS protocol …" keeps its capitals.
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
