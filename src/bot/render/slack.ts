import type { Finding, FindingStatus } from '../../report/finding.js';
import { ACTION_LABELS, actionsFor, type Incident, type IncidentAction } from '../../report/incident.js';
import type { RankedFix } from '../../report/ranked-fix.js';
import type { Reply } from '../../report/reply.js';
import type { Refusal, Report } from '../../report/report.js';
import type { Understanding } from '../../report/understanding.js';
import { headline, incidentLines } from './text.js';

/** The Block Kit subset rdp-triage sends (https://docs.slack.dev/reference/block-kit/blocks). */
export type SlackText =
  | { type: 'mrkdwn'; text: string }
  | { type: 'plain_text'; text: string; emoji?: boolean };
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value?: string;
  style?: 'primary' | 'danger';
}
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; block_id?: string; text: SlackText }
  | { type: 'context'; block_id?: string; elements: SlackText[] }
  | { type: 'actions'; block_id: string; elements: SlackButton[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackRenderOptions {
  /** Expand every fix instead of the top three ("Show all fixes"). */
  expandAll?: boolean;
  /** Latest vote per fix id, shown under the fix. */
  votes?: Record<string, { user: string; helped: boolean }>;
  /** The user's message, carried by "Run probes again" so a rerun needs no server state. */
  requestText?: string;
  /** Slack user id of whoever asked, when the bot answers for them (slash command, shortcut). */
  requestedBy?: string;
}

/** Slack's documented limits (platform-limits.md, Slack section). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  buttonValue: 2000,
  fallbackText: 3000,
  /** `msg_blocks_too_long` was seen at ≈ 13.2 k characters of blocks (bolt-js#2509): stay well below. */
  totalChars: 12_000,
} as const;

export const ACTION_IDS = {
  helped: 'fix_helped',
  notHelped: 'fix_not_helped',
  showAll: 'show_all_fixes',
  rerun: 'rerun_probes',
} as const;

/** An incident post's buttons: `incident_acknowledge` etc., the incident id as the value. */
export const INCIDENT_ACTION_PREFIX = 'incident_';
export function incidentActionId(action: IncidentAction): string {
  return `${INCIDENT_ACTION_PREFIX}${action}`;
}

const EXPANDED_FIXES = 3;
/** Findings get at most this many characters; the rest of the budget is for fixes. */
const FINDINGS_CHARS = 3500;
/** "All fixes" was asked for: the findings were read already, the room goes to the fixes. */
const EXPANDED_FINDINGS_CHARS = 1500;
const MORE_FIXES_CHARS = 1000;
/** The read-only checks, in one section; each command is short. */
const DIAGNOSTICS_CHARS = 1500;
/** A button value holds 2000 characters; the rerun button carries the request. */
const RERUN_TEXT_CHARS = 1900;
/** Snippet lengths tried in turn when a fix does not fit: whole, shortened, left out. */
const SNIPPET_CAPS = [SLACK_LIMITS.sectionText, 400, 0];
const STATUS_EMOJI: Record<FindingStatus, string> = {
  ok: ':large_green_circle:',
  warn: ':large_yellow_circle:',
  fail: ':red_circle:',
  timeout: ':hourglass:',
  skipped: ':white_circle:',
  refused: ':no_entry_sign:',
};

/** Block Kit message for any reply, within Slack's block and character limits. Pure. */
export function renderSlack(reply: Reply, options: SlackRenderOptions = {}): SlackMessage {
  switch (reply.kind) {
    case 'text':
      return renderTextReply(reply.text, options);
    case 'progress':
      return withNote(
        renderProgress(reply.understanding, reply.findings, reply.targets, options),
        reply.note,
      );
    case 'report':
      return withNote(renderReport(reply.report, options), reply.note);
    case 'incident':
      return renderIncident(reply.incident);
  }
}

function renderIncident(incident: Incident): SlackMessage {
  const person = (by: string) => (by.startsWith('slack:') ? mention(by.slice(6)) : escapeMrkdwn(by));
  const { title, lines } = incidentLines(incident, { quote: escapeMrkdwn, person });
  const buttons = actionsFor(incident.state).map((action) =>
    button(incidentActionId(action), ACTION_LABELS[action], incident.id),
  );
  const emoji = incident.state === 'resolved' ? ':large_green_circle:' : ':rotating_light:';
  return {
    text: truncate(`${emoji} ${title} — ${lines[0]}`, SLACK_LIMITS.fallbackText),
    blocks: [
      section(truncate(`${emoji} *${title}*`, SLACK_LIMITS.sectionText)),
      section(truncate(lines.join('\n'), SLACK_LIMITS.sectionText)),
      { type: 'actions', block_id: `incident:${incident.id}`, elements: buttons },
    ],
  };
}

/** "From your screenshot: 0x904 / 0x7 on srv-fin-02" (issue 12), right under the header. */
function withNote(message: SlackMessage, note: string | undefined): SlackMessage {
  if (!note) return message;
  const [first, ...rest] = message.blocks;
  const line = context(truncate(escapeMrkdwn(note), SLACK_LIMITS.sectionText));
  return {
    text: truncate(`${escapeMrkdwn(note)} — ${message.text}`, SLACK_LIMITS.fallbackText),
    blocks: first ? [first, line, ...rest] : [line],
  };
}

function renderTextReply(text: string, options: SlackRenderOptions): SlackMessage {
  const bounded = truncate(escapeMrkdwn(text), SLACK_LIMITS.totalChars - 2000);
  const blocks: SlackBlock[] = packSections(bounded.split('\n'));
  if (options.requestedBy) blocks.push(context(`Asked by ${mention(options.requestedBy)}`));
  return { text: truncate(escapeMrkdwn(text), SLACK_LIMITS.fallbackText), blocks };
}

function renderProgress(
  understanding: Understanding,
  findings: Finding[],
  targets: string[],
  options: SlackRenderOptions,
): SlackMessage {
  const status =
    targets.length > 0 ? `:hourglass_flowing_sand: Probing ${targets.join(', ')}…` : 'Looking up fixes…';
  const blocks: SlackBlock[] = [
    header(understanding),
    section(truncate(escapeMrkdwn(status), SLACK_LIMITS.sectionText)),
    ...listSections(findings.map(findingLine), 'finding', FINDINGS_CHARS),
    context(`${requesterPrefix(options)}${findings.length} probe results so far`),
  ];
  return {
    text: truncate(escapeMrkdwn(`${headline(understanding)} — ${status}`), SLACK_LIMITS.fallbackText),
    blocks,
  };
}

function renderReport(report: Report, options: SlackRenderOptions): SlackMessage {
  // The tail (more fixes, buttons, timings) is reserved first so a long report loses fixes, never its controls.
  const tail: SlackBlock[] = [];
  const budget = createBudget();
  budget.add(header(report.understanding));
  const detail = understandingDetail(report.understanding);
  if (detail) budget.add(section(detail));
  const findingLines = [...report.findings.map(findingLine), ...report.refusals.map(refusalLine)];
  if (findingLines.length > 0) {
    budget.add(section('*Findings*'));
    budget.add(
      ...listSections(findingLines, 'finding', options.expandAll ? EXPANDED_FINDINGS_CHARS : FINDINGS_CHARS),
    );
  }
  budget.add({ type: 'divider' });
  budget.add(
    section(
      report.fixes.length > 0
        ? '*Fixes, most likely first*'
        : '*No specific fix found*\nSend the exact error code and extended code from the dialog, and the host name.',
    ),
  );
  const wanted = options.expandAll ? report.fixes.length : Math.min(EXPANDED_FIXES, report.fixes.length);
  // Room for the tail: "more fixes" (≤ MORE_FIXES_CHARS), the buttons (carrying the request text), timings.
  const checks = diagnosticsBlock(report);
  const reserve = {
    blocks: 3 + (checks ? 1 : 0),
    chars:
      MORE_FIXES_CHARS +
      600 +
      Math.min(options.requestText?.length ?? 0, RERUN_TEXT_CHARS) +
      500 +
      (checks ? JSON.stringify(checks).length : 0),
  };
  let shown = 0;
  for (const [index, fix] of report.fixes.slice(0, wanted).entries()) {
    // A fix too long to show whole is shown with shortened snippets, then without them.
    // Expanded, the top fix keeps whole snippets and the others start shortened, so more fit.
    const caps = options.expandAll && index > 0 ? SNIPPET_CAPS.slice(1) : SNIPPET_CAPS;
    const blocks = caps
      .map((cap) => fixBlocks(fix, index, report.understanding, options, cap))
      .find((candidate) => budget.fits(candidate, reserve));
    if (!blocks) break;
    budget.add(...blocks);
    shown += 1;
  }
  if (checks) tail.push(checks);
  const hidden = report.fixes.slice(shown);
  if (hidden.length > 0) {
    const titles = hidden.map((fix, i) => `${shown + i + 1}. ${escapeMrkdwn(fix.title)}`).join('\n');
    const label = `*${hidden.length} more fixes${shown < wanted ? ' (no room to expand them here)' : ''}*`;
    tail.push(section(truncate(`${label}\n${titles}`, MORE_FIXES_CHARS)));
  }
  const buttons: SlackButton[] = [];
  if (hidden.length > 0 && shown === wanted)
    buttons.push(button(ACTION_IDS.showAll, `All fixes (${report.fixes.length})`, 'all'));
  if (options.requestText !== undefined)
    buttons.push(
      button(ACTION_IDS.rerun, 'Run probes again', truncate(options.requestText, RERUN_TEXT_CHARS)),
    );
  if (buttons.length > 0) tail.push({ type: 'actions', block_id: 'report_actions', elements: buttons });
  tail.push(context(requesterPrefix(options) + timings(report)));
  for (const block of tail) if (budget.fits([block], { blocks: 0, chars: 0 })) budget.add(block);
  const top = report.fixes[0];
  const fallback = `${headline(report.understanding)} — ${top ? `most likely fix: ${top.title}` : 'no specific fix found'}`;
  return { text: truncate(escapeMrkdwn(fallback), SLACK_LIMITS.fallbackText), blocks: budget.blocks };
}

function diagnosticsBlock(report: Report): SlackBlock | undefined {
  const checks = report.diagnostics ?? [];
  if (checks.length === 0) return undefined;
  const lines = checks.map((check) => `• ${escapeMrkdwn(check.text)}\n${codeBlock(check.snippet.code, 300)}`);
  // Whole checks only: a cut inside a code block would leave it open.
  let text = '*Diagnostics (read-only, run these first)*';
  for (const line of lines) {
    if (text.length + line.length + 1 > DIAGNOSTICS_CHARS) break;
    text += `\n${line}`;
  }
  return section(text);
}

function fixBlocks(
  fix: RankedFix,
  index: number,
  understanding: Understanding,
  options: SlackRenderOptions,
  snippetCap: number,
): SlackBlock[] {
  const paragraphs = [`*${index + 1}. ${escapeMrkdwn(fix.title)}*`];
  if (fix.reasons.length > 0) paragraphs.push(`_Why: ${escapeMrkdwn(fix.reasons.join('; '))}_`);
  for (const step of fix.steps) {
    paragraphs.push(`• ${escapeMrkdwn(step.text)}`);
    if (step.snippet && snippetCap > 0) paragraphs.push(codeBlock(step.snippet.code, snippetCap));
    if (step.undo) {
      paragraphs.push(`   _Undo: ${escapeMrkdwn(step.undo.text)}_`);
      if (step.undo.snippet && snippetCap > 0) paragraphs.push(codeBlock(step.undo.snippet.code, snippetCap));
    }
  }
  const blocks: SlackBlock[] = packSections(paragraphs);
  const vote = options.votes?.[fix.id];
  const value = JSON.stringify({ fix: fix.id, codes: understanding.codes.slice(0, 10).map((c) => c.value) });
  blocks.push({
    type: 'actions',
    block_id: `fix:${fix.id}`.slice(0, 255),
    elements: [
      button(ACTION_IDS.helped, 'This fixed it', truncate(value, SLACK_LIMITS.buttonValue), 'primary'),
      button(ACTION_IDS.notHelped, "Didn't help", truncate(value, SLACK_LIMITS.buttonValue)),
    ],
  });
  if (vote)
    blocks.push(
      context(
        vote.helped
          ? `:white_check_mark: ${mention(vote.user)} says this fixed it`
          : `:x: ${mention(vote.user)} says this didn't help`,
      ),
    );
  return blocks;
}

function header(understanding: Understanding): SlackBlock {
  const codes = understanding.codes.map((code) => code.value).join(' ');
  const hosts = understanding.hosts.map((host) => host.name).join(', ');
  const title = understanding.intent === 'rdp_slow_or_quality' ? 'RDP slow' : 'RDP failure';
  const text = [title, codes, hosts].filter((part) => part !== '').join(' · ');
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText) } };
}

function understandingDetail(understanding: Understanding): string {
  const lines = understanding.codes.map(
    (code) => `\`${code.value}\` ${code.role}${code.name ? ` — ${escapeMrkdwn(code.name)}` : ''}`,
  );
  if (understanding.gateway) lines.push(`Gateway: ${escapeMrkdwn(understanding.gateway)}`);
  if (understanding.symptoms.length > 0)
    lines.push(`Symptoms: ${escapeMrkdwn(understanding.symptoms.join(', '))}`);
  return truncate(lines.join('\n'), SLACK_LIMITS.sectionText);
}

function findingLine(finding: Finding): string {
  return `${STATUS_EMOJI[finding.status]} ${escapeMrkdwn(finding.summary)} _(${finding.ms} ms)_`;
}

function refusalLine(refusal: Refusal): string {
  return `${STATUS_EMOJI.refused} ${escapeMrkdwn(refusal.target)}: ${escapeMrkdwn(refusal.reason)}`;
}

function timings(report: Report): string {
  const perProbe = new Map<string, number>();
  for (const finding of report.findings)
    perProbe.set(finding.probe, Math.max(perProbe.get(finding.probe) ?? 0, finding.ms));
  const probes = [...perProbe].map(([probe, ms]) => `${probe} ${ms} ms`).join(', ');
  return `Triage took ${report.ms} ms${probes ? ` (${probes})` : ''} · started ${report.startedAt}`;
}

function requesterPrefix(options: SlackRenderOptions): string {
  return options.requestedBy ? `Asked by ${mention(options.requestedBy)} · ` : '';
}

/** Lines packed into sections up to `maxChars`; the rest is counted, not shown. */
function listSections(lines: string[], noun: string, maxChars: number): SlackBlock[] {
  const kept: string[] = [];
  let chars = 0;
  for (const line of lines) {
    const bounded = truncate(line, 500);
    if (chars + bounded.length > maxChars) break;
    kept.push(bounded);
    chars += bounded.length + 1;
  }
  if (kept.length < lines.length) kept.push(`_…and ${lines.length - kept.length} more ${noun}s_`);
  return packSections(kept);
}

/** Packs paragraphs into as few sections as fit 3000 characters each, never splitting a paragraph. */
function packSections(paragraphs: string[]): SlackBlock[] {
  const texts: string[] = [];
  let current = '';
  for (const raw of paragraphs) {
    const paragraph = truncate(raw, SLACK_LIMITS.sectionText);
    if (current !== '' && current.length + 1 + paragraph.length > SLACK_LIMITS.sectionText) {
      texts.push(current);
      current = '';
    }
    current = current === '' ? paragraph : `${current}\n${paragraph}`;
  }
  if (current !== '') texts.push(current);
  return texts.map((text) => section(text));
}

function codeBlock(code: string, cap: number): string {
  // A ``` inside a snippet would close the block early; a zero-width space keeps it literal.
  const safe = escapeMrkdwn(code).replaceAll('```', '`\u200b``');
  const room = Math.min(cap, SLACK_LIMITS.sectionText - 8);
  return `\`\`\`${safe.length > room ? `${safe.slice(0, room - 14)}\n… (truncated)` : safe}\`\`\``;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(text: string): SlackBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.contextText) }] };
}

function button(actionId: string, text: string, value: string, style?: 'primary'): SlackButton {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text, emoji: true },
    value,
    ...(style && { style }),
  };
}

function mention(user: string): string {
  // Slack user ids are upper-case alphanumerics; anything else is shown as text, never as markup.
  return /^[A-Z0-9]{2,30}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

/** User and probe text must not become markup: `<!channel>` would ping everyone. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Counts blocks and characters (as serialised) so a message stays inside Slack's limits. */
function createBudget() {
  const blocks: SlackBlock[] = [];
  let chars = 0;
  const sizeOf = (list: SlackBlock[]) => list.reduce((sum, block) => sum + JSON.stringify(block).length, 0);
  return {
    blocks,
    fits(list: SlackBlock[], reserve: { blocks: number; chars: number }) {
      return (
        blocks.length + list.length + reserve.blocks <= SLACK_LIMITS.blocks &&
        chars + sizeOf(list) + reserve.chars <= SLACK_LIMITS.totalChars
      );
    },
    add(...list: SlackBlock[]) {
      for (const block of list) {
        if (blocks.length >= SLACK_LIMITS.blocks) return;
        blocks.push(block);
        chars += sizeOf([block]);
      }
    },
  };
}
/**
 * Slack's message markup back to what the user typed: `<http://srv-fin-02.corp|srv-fin-02.corp>`
 * (Slack links host names on its own) → `srv-fin-02.corp`, `<@U1>` → `@U1`, `&lt;` → `<`.
 * https://docs.slack.dev/messaging/formatting-message-text
 */
export function plainText(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, (_match, _target: string, label: string) => label)
    .replace(/<!([^<>]*)>/g, '@$1')
    .replace(/<(?:mailto:|tel:)?([^<>]*)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** What `/rdp …` answers at once (ephemeral), before the triage runs; `text` is the command's. */
export function slackCommandAck(text: string): string {
  if (text === '') return 'Tell me the error and the host, e.g. `/rdp 0x904 on srv-fin-02`.';
  return `Triaging _${escapeMrkdwn(text.slice(0, 200))}_ — the answer follows in this channel.`;
}

/** Told (ephemeral) when the answer could not be posted; `code` is the Web API's `error`. */
export function slackUnpostedText(code: string, detail: string): string {
  if (code === 'not_in_channel' || code === 'channel_not_found')
    return "I can't post in this channel. Invite me with `/invite @rdp-triage`, or send me a direct message.";
  return `Sorry, I couldn't post the answer: ${escapeMrkdwn(detail)}`;
}
