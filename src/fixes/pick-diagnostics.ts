import type { Diagnostic } from '../report/ranked-fix.js';
import type { Understanding } from '../report/understanding.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { renderStep, type SnippetValues } from './render-snippet.js';

/**
 * The read-only first checks for a Remote Desktop problem (rules.yaml `diagnostics`), filled with
 * the message's host, port and gateway; `<server>` with a line saying what to put there when the
 * message named none. The gateway check only when a gateway is involved. Empty for messages that
 * are not about a Remote Desktop problem.
 */
export function pickDiagnostics(
  kb: KnowledgeBase,
  understanding: Understanding,
  values: SnippetValues,
): Diagnostic[] {
  if (!isRdpProblem(understanding)) return [];
  const viaGateway =
    understanding.gateway !== null ||
    (understanding.mentions ?? []).some((m) => m.kind === 'cue' && m.id === 'via_gateway');
  return kb.rules.diagnostics
    .filter((check) => check.when === 'always' || viaGateway)
    .map((check) => {
      const step = renderStep({ text: check.text, snippet: check.snippet }, values);
      return { id: check.id, where: check.where, text: step.text, snippet: step.snippet ?? check.snippet };
    });
}

function isRdpProblem(understanding: Understanding): boolean {
  return (
    understanding.intent === 'rdp_failure' ||
    understanding.intent === 'rdp_slow_or_quality' ||
    understanding.codes.length > 0
  );
}
