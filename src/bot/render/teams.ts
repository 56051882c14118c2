import type { Finding, FindingStatus } from '../../report/finding.js';
import { ACTION_LABELS, actionsFor, type Incident } from '../../report/incident.js';
import type { RankedFix } from '../../report/ranked-fix.js';
import type { Reply } from '../../report/reply.js';
import type { Refusal, Report } from '../../report/report.js';
import type { Understanding } from '../../report/understanding.js';
import { headline, incidentLines } from './text.js';

/**
 * Adaptive Card 1.5 rendering of a `Reply`, for Microsoft Teams. Pure: data in, card out.
 *
 * Text that may come from outside (finding summaries carry certificate subjects a remote server
 * chose, snippets carry host names from chat) goes into `RichTextBlock` / `TextRun`, which Teams
 * never parses as markdown, so nobody can smuggle a link or formatting into the card.
 */

// biome-ignore lint/suspicious/noExplicitAny: Adaptive Card elements are open JSON objects.
type CardElement = Record<string, any>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardElement[];
  msteams?: { width: 'Full' };
}

/** Teams rejects a message over 28 KB (the whole activity); the card keeps 2 KB for the envelope. */
export const CARD_MAX_BYTES = 26 * 1024;
export const TEAMS_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Verbs of the card's buttons (`Action.Execute` verb; also `data.verb` for the `Action.Submit` fallback). */
export const TEAMS_VERBS = {
  feedback: 'rdp-triage.feedback',
  rerun: 'rdp-triage.rerun',
  incident: 'rdp-triage.incident',
} as const;

/** Longest original message a "Run probes again" button carries back. */
export const RERUN_TEXT_MAX = 1000;

const MAX_TEXT_LINES = 60;

export interface TeamsVote {
  helped: boolean;
  /** Display name of whoever voted (Teams sends one); "someone" when absent. */
  name?: string;
}

export interface TeamsRenderOptions {
  /** Id of the card's own message: feedback votes refer to it. Without it, no feedback buttons. */
  triageId?: string;
  /** The user's original message, carried by "Run probes again". Without it, no such button. */
  rerunText?: string;
  /** Votes already cast on this card, by fix id; shown instead of asking again. */
  votes?: Record<string, TeamsVote>;
  maxBytes?: number;
}

const STATUS: Record<FindingStatus, { mark: string; color: string }> = {
  ok: { mark: '✔ ok', color: 'Good' },
  warn: { mark: '▲ warn', color: 'Warning' },
  fail: { mark: '✘ fail', color: 'Attention' },
  timeout: { mark: '⧗ timeout', color: 'Attention' },
  skipped: { mark: '· skipped', color: 'Default' },
  refused: { mark: '⊘ refused', color: 'Warning' },
};

/** How much detail a card carries; the renderer steps down these levels until the card fits. */
interface Detail {
  expanded: number;
  snippetLines: number;
  /** Steps (with snippets) for the fixes under "All fixes"; titles only when false. */
  showCardSteps: boolean;
  maxFindings: number;
  maxChars: number;
}

const LEVELS: Detail[] = [
  { expanded: 3, snippetLines: 40, showCardSteps: true, maxFindings: 40, maxChars: 2000 },
  { expanded: 3, snippetLines: 20, showCardSteps: false, maxFindings: 30, maxChars: 1000 },
  { expanded: 2, snippetLines: 10, showCardSteps: false, maxFindings: 20, maxChars: 600 },
  { expanded: 1, snippetLines: 6, showCardSteps: false, maxFindings: 10, maxChars: 300 },
  { expanded: 1, snippetLines: 3, showCardSteps: false, maxFindings: 5, maxChars: 160 },
];

/** The Adaptive Card for any reply, within `maxBytes` of JSON. */
export function renderTeamsCard(reply: Reply, options: TeamsRenderOptions = {}): AdaptiveCard {
  const maxBytes = options.maxBytes ?? CARD_MAX_BYTES;
  let card: AdaptiveCard | undefined;
  for (const detail of LEVELS) {
    card = renderAt(reply, options, detail);
    if (cardBytes(card) <= maxBytes) return card;
  }
  // Even the tersest level is too big (absurd input): keep only the first fixes and findings.
  const tersest: Detail = { ...(LEVELS[LEVELS.length - 1] as Detail), maxChars: 80 };
  for (const keep of [5, 2, 0]) {
    const trimmed: Reply =
      reply.kind === 'report'
        ? { kind: 'report', report: { ...reply.report, fixes: reply.report.fixes.slice(0, keep) } }
        : reply;
    card = renderAt(trimmed, options, { ...tersest, maxFindings: keep });
    if (cardBytes(card) <= maxBytes) break;
  }
  return card as AdaptiveCard;
}

export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

function renderAt(reply: Reply, options: TeamsRenderOptions, detail: Detail): AdaptiveCard {
  switch (reply.kind) {
    case 'text':
      return card([
        ...(reply.understanding ? [header(reply.understanding, detail)] : []),
        ...reply.text
          .split('\n')
          .slice(0, MAX_TEXT_LINES)
          .map((line) => plain(clamp(line, detail.maxChars) || ' ', { spacing: 'None' })),
      ]);
    case 'progress':
      return card([
        header(reply.understanding, detail),
        ...noteLine(reply.note, detail),
        plain(reply.targets.length > 0 ? `Probing ${reply.targets.join(', ')}…` : 'Looking up fixes…', {
          isSubtle: true,
        }),
        ...findingLines(reply.findings, [], detail),
      ]);
    case 'report':
      return reportCard(reply.report, options, detail, reply.note);
    case 'incident':
      return incidentCard(reply.incident);
  }
}

function incidentCard(incident: Incident): AdaptiveCard {
  const { title, lines } = incidentLines(incident);
  const actions = actionsFor(incident.state).map((action) =>
    execute(ACTION_LABELS[action], TEAMS_VERBS.incident, { incidentId: incident.id, action }),
  );
  return card(
    [
      plain(title, {
        weight: 'Bolder',
        size: 'Medium',
        color: incident.state === 'resolved' ? 'Good' : 'Attention',
      }),
      ...lines.map((line) => plain(line, { spacing: 'Small' })),
    ],
    actions,
  );
}

function reportCard(
  report: Report,
  options: TeamsRenderOptions,
  detail: Detail,
  note: string | undefined,
): AdaptiveCard {
  const body: CardElement[] = [header(report.understanding, detail), ...noteLine(note, detail)];
  if (report.findings.length > 0 || report.refusals.length > 0) {
    body.push(heading('Findings'), ...findingLines(report.findings, report.refusals, detail));
  }
  body.push(heading(report.fixes.length > 0 ? 'Fixes, most likely first' : 'No specific fix found'));
  if (report.fixes.length === 0) {
    body.push(
      plain(
        'I could not match this to a known fix. Send the exact error code and extended code from the dialog, and the host name.',
      ),
    );
  }
  report.fixes.slice(0, detail.expanded).forEach((fix, index) => {
    body.push(...fixBlock(fix, index, detail, detail.snippetLines), ...feedbackBlock(fix, options));
  });
  const rest = report.fixes.length - detail.expanded;
  if (rest > 0)
    body.push(plain(`${rest} more fix${rest === 1 ? '' : 'es'} under "All fixes".`, { isSubtle: true }));
  body.push(...diagnosticsBlock(report, detail));
  body.push(
    plain(`Triage took ${report.ms} ms (started ${report.startedAt}).`, { isSubtle: true, size: 'Small' }),
  );

  const actions: CardElement[] = [];
  if (report.fixes.length > 0) {
    actions.push({
      type: 'Action.ShowCard',
      title: `All ${report.fixes.length} fixes`,
      card: {
        type: 'AdaptiveCard',
        body: report.fixes.flatMap((fix, index) =>
          detail.showCardSteps
            ? fixBlock(fix, index, detail, detail.snippetLines)
            : [plain(clamp(`${index + 1}. ${fix.title}`, detail.maxChars), { weight: 'Bolder' })],
        ),
      },
    });
  }
  if (options.rerunText !== undefined) {
    actions.push(
      execute('Run probes again', TEAMS_VERBS.rerun, { text: options.rerunText.slice(0, RERUN_TEXT_MAX) }),
    );
  }
  return card(body, actions);
}

/** What the bot read from a screenshot, or why it could not: above everything else. */
function noteLine(note: string | undefined, detail: Detail): CardElement[] {
  return note ? [plain(clamp(note, detail.maxChars), { isSubtle: true, spacing: 'Small' })] : [];
}

function header(understanding: Understanding, detail: Detail): CardElement {
  const facts: { title: string; value: string }[] = [];
  if (understanding.codes.length > 0) {
    facts.push({
      title: 'Codes',
      value: understanding.codes
        .map((code) => `${code.value}${code.name ? ` ${code.name}` : ''} (${code.role})`)
        .join(', '),
    });
  }
  if (understanding.hosts.length > 0)
    facts.push({ title: 'Hosts', value: understanding.hosts.map((host) => host.name).join(', ') });
  if (understanding.gateway) facts.push({ title: 'Gateway', value: understanding.gateway });
  if (understanding.symptoms.length > 0)
    facts.push({ title: 'Symptoms', value: understanding.symptoms.join(', ') });
  return {
    type: 'Container',
    style: 'emphasis',
    bleed: true,
    items: [
      { type: 'TextBlock', text: 'RDP triage', weight: 'Bolder', size: 'Medium', wrap: true },
      plain(clamp(headline(understanding), detail.maxChars), { isSubtle: true, spacing: 'None' }),
      ...(facts.length > 0
        ? [
            {
              type: 'FactSet',
              facts: facts.map((f) => ({ title: f.title, value: clamp(f.value, detail.maxChars) })),
            },
          ]
        : []),
    ],
  };
}

function findingLines(findings: Finding[], refusals: Refusal[], detail: Detail): CardElement[] {
  const lines: CardElement[] = findings.slice(0, detail.maxFindings).map((finding) => ({
    type: 'RichTextBlock',
    spacing: 'Small',
    inlines: [
      {
        type: 'TextRun',
        text: `${STATUS[finding.status].mark}  `,
        weight: 'Bolder',
        color: STATUS[finding.status].color,
      },
      { type: 'TextRun', text: clamp(finding.summary, detail.maxChars) },
    ],
  }));
  if (findings.length > detail.maxFindings)
    lines.push(plain(`… ${findings.length - detail.maxFindings} more findings`, { isSubtle: true }));
  for (const refusal of refusals.slice(0, detail.maxFindings)) {
    lines.push({
      type: 'RichTextBlock',
      spacing: 'Small',
      inlines: [
        { type: 'TextRun', text: `${STATUS.refused.mark}  `, weight: 'Bolder', color: STATUS.refused.color },
        { type: 'TextRun', text: clamp(`${refusal.target}: ${refusal.reason}`, detail.maxChars) },
      ],
    });
  }
  return lines;
}

function fixBlock(fix: RankedFix, index: number, detail: Detail, snippetLines: number): CardElement[] {
  const items: CardElement[] = [
    plain(clamp(`${index + 1}. ${fix.title}`, detail.maxChars), { weight: 'Bolder', spacing: 'Medium' }),
    ...fix.reasons.map((reason) =>
      plain(clamp(`why: ${reason}`, detail.maxChars), { isSubtle: true, spacing: 'None' }),
    ),
  ];
  for (const step of fix.steps) {
    items.push(plain(clamp(`• ${step.text}`, detail.maxChars), { spacing: 'Small' }));
    if (step.snippet) items.push(codeContainer(step.snippet.code, detail, snippetLines));
    if (step.undo) {
      items.push(
        plain(clamp(`Undo: ${step.undo.text}`, detail.maxChars), { isSubtle: true, spacing: 'Small' }),
      );
      if (step.undo.snippet) items.push(codeContainer(step.undo.snippet.code, detail, snippetLines));
    }
  }
  return items;
}

/** The read-only first checks, each with its command. */
function diagnosticsBlock(report: Report, detail: Detail): CardElement[] {
  const checks = report.diagnostics ?? [];
  if (checks.length === 0) return [];
  return [
    plain('Diagnostics (read-only, run these first)', { weight: 'Bolder', spacing: 'Medium' }),
    ...checks.flatMap((check) => [
      plain(clamp(`• ${check.text}`, detail.maxChars), { spacing: 'Small' }),
      codeContainer(check.snippet.code, detail, 4),
    ]),
  ];
}

function codeContainer(code: string, detail: Detail, snippetLines: number): CardElement {
  const codeLines = code.split('\n');
  const shown = codeLines.slice(0, snippetLines);
  return {
    type: 'Container',
    style: 'emphasis',
    spacing: 'Small',
    items: [
      ...shown.map((line) => ({
        type: 'RichTextBlock',
        spacing: 'None',
        // A TextRun keeps the snippet verbatim: no markdown, one line per run so line breaks survive.
        inlines: [{ type: 'TextRun', text: clamp(line, detail.maxChars) || ' ', fontType: 'Monospace' }],
      })),
      ...(codeLines.length > shown.length
        ? [plain(`… ${codeLines.length - shown.length} more lines`, { isSubtle: true, spacing: 'None' })]
        : []),
    ],
  };
}

function feedbackBlock(fix: RankedFix, options: TeamsRenderOptions): CardElement[] {
  const vote = options.votes?.[fix.id];
  const out: CardElement[] = [];
  if (vote) {
    out.push(
      plain(`${vote.helped ? '👍 Helped' : '👎 Did not help'} — ${clamp(vote.name ?? 'someone', 80)}`, {
        color: vote.helped ? 'Good' : 'Attention',
        spacing: 'Small',
      }),
    );
  }
  if (options.triageId === undefined) return out;
  const data = { triageId: options.triageId, fixId: fix.id };
  out.push({
    type: 'ActionSet',
    spacing: 'Small',
    actions: [
      execute('👍 This helped', TEAMS_VERBS.feedback, { ...data, helped: true }),
      execute('👎 Did not help', TEAMS_VERBS.feedback, { ...data, helped: false }),
    ],
  });
  return out;
}

/**
 * `Action.Execute` (Universal Actions: the bot answers with the refreshed card) with an
 * `Action.Submit` fallback for clients without it; both carry the verb in `data`.
 */
function execute(title: string, verb: string, data: Record<string, unknown>): CardElement {
  const payload = { verb, ...data };
  return {
    type: 'Action.Execute',
    title,
    verb,
    data: payload,
    fallback: { type: 'Action.Submit', title, data: payload },
  };
}

function card(body: CardElement[], actions: CardElement[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 && { actions }),
    msteams: { width: 'Full' },
  };
}

function heading(text: string): CardElement {
  return { type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', spacing: 'Medium', wrap: true };
}

/** Text shown verbatim (no markdown): one TextRun in a RichTextBlock. */
function plain(text: string, style: Record<string, string | boolean> = {}): CardElement {
  const { spacing, ...run } = style;
  return {
    type: 'RichTextBlock',
    ...(spacing !== undefined && { spacing }),
    inlines: [{ type: 'TextRun', text, ...run }],
  };
}

function clamp(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
