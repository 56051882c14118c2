import type { Understanding } from '../intents/understanding.js';
import type { Finding } from '../probes/finding.js';
import { type FixEntry, loadFixCatalog } from './catalog.js';
import type { FeedbackStats, RankedFix } from './ranked-fix.js';
import { fillPlaceholders, type SnippetValues } from './render-snippet.js';

// First version: code priors plus a few probe rules. The knowledge-base issue (#5) deepens it.
const CODE_PRIOR = 10;
const EVIDENCE_WEIGHT = 20;

const EVIDENCE: Record<string, string[]> = {
  TCP_REFUSED: ['open-firewall-rdp', 'test-rdp-port'],
  TCP_TIMEOUT: ['test-rdp-port', 'open-firewall-rdp'],
};

export function rank(
  understanding: Understanding,
  findings: Finding[],
  _stats: FeedbackStats = {},
  catalog: FixEntry[] = loadFixCatalog(),
): RankedFix[] {
  const values = snippetValues(understanding);
  const codes = new Set(understanding.codes.map((code) => code.value));
  const ranked = catalog.map((fix, order) => {
    let score = 0;
    const reasons: string[] = [];
    for (const code of fix.codes) {
      if (!codes.has(code)) continue;
      score += CODE_PRIOR;
      reasons.push(`Listed for error code ${code}`);
    }
    for (const finding of findings) {
      if (!EVIDENCE[finding.code]?.includes(fix.id)) continue;
      score += EVIDENCE_WEIGHT;
      reasons.push(`${finding.summary} (probe ${finding.probe}, ${finding.ms} ms)`);
    }
    return { fix, score, reasons, order };
  });
  return ranked
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ fix, score, reasons }) => ({
      id: fix.id,
      title: fillPlaceholders(fix.title, 'prose', values),
      score,
      reasons,
      steps: fix.steps.map((step) => ({
        text: fillPlaceholders(step.text, 'prose', values),
        ...(step.snippet && {
          snippet: {
            lang: step.snippet.lang,
            code: fillPlaceholders(step.snippet.code, step.snippet.lang, values),
          },
        }),
      })),
    }));
}

function snippetValues(understanding: Understanding): SnippetValues {
  const host = understanding.hosts[0];
  return {
    host: host?.name ?? '<host>',
    port: host?.port ?? 3389,
    gateway: understanding.gateway ?? '<gateway>',
  };
}
