import type { FindingStatus } from '../../report/finding.js';
import { type Incident, utcMinute } from '../../report/incident.js';
import type { Reply } from '../../report/reply.js';
import type { Report } from '../../report/report.js';
import type { Understanding } from '../../report/understanding.js';

export interface TextStyle {
  color: boolean;
  /** How many fixes to show with their steps; the rest are listed by title. */
  expandedFixes?: number;
}

const ANSI = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', cyan: '36' } as const;
type AnsiName = keyof typeof ANSI;

const STATUS_MARK: Record<FindingStatus, { mark: string; color: AnsiName }> = {
  ok: { mark: '✔', color: 'green' },
  warn: { mark: '▲', color: 'yellow' },
  fail: { mark: '✘', color: 'red' },
  timeout: { mark: '⧗', color: 'red' },
  skipped: { mark: '·', color: 'dim' },
  refused: { mark: '⊘', color: 'yellow' },
};

/** Terminal text for any reply. Pure. */
export function renderText(reply: Reply, style: TextStyle): string {
  const paint = (name: AnsiName, text: string) =>
    style.color ? `\u001b[${ANSI[name]}m${text}\u001b[0m` : text;
  switch (reply.kind) {
    case 'text':
      return reply.text;
    case 'progress': {
      const lines = [paint('bold', headline(reply.understanding))];
      if (reply.note) lines.unshift(paint('dim', reply.note));
      lines.push(
        paint('dim', reply.targets.length > 0 ? `Probing ${reply.targets.join(', ')}…` : 'Looking up fixes…'),
      );
      for (const finding of reply.findings) {
        const { mark, color } = STATUS_MARK[finding.status];
        lines.push(`  ${paint(color, mark)} ${finding.summary}`);
      }
      return lines.join('\n');
    }
    case 'report':
      return `${reply.note ? `${paint('dim', reply.note)}\n` : ''}${renderReport(reply.report, style, paint)}`;
    case 'incident': {
      const { title, lines } = incidentLines(reply.incident);
      return [paint('bold', title), ...lines].join('\n');
    }
  }
}

/**
 * What every surface shows of an incident, as plain text: a title and the lines under it.
 * `quote` is applied to text that came from probes or chat (targets, summaries); `person` turns
 * a `platform:user` into how the surface names people (a Slack mention), and is inserted as is.
 */
export function incidentLines(
  incident: Incident,
  {
    quote = (text: string) => text,
    person = (by: string) => quote(by),
  }: { quote?: (text: string) => string; person?: (by: string) => string } = {},
): { title: string; lines: string[] } {
  const title = quote(`${incident.id} · ${incident.target}: ${incident.summary || incident.cause}`);
  const state =
    incident.state === 'open'
      ? 'Open'
      : incident.state === 'mitigated'
        ? `Acknowledged${incident.acknowledgedBy ? ` by ${person(incident.acknowledgedBy)}` : ''}`
        : `Resolved${incident.resolvedAt ? ` at ${utcMinute(incident.resolvedAt)}` : ''}`;
  const reports = `${incident.reports} report${incident.reports === 1 ? '' : 's'}`;
  const lines = [
    `${incident.severity === 'warning' ? 'Warning, nothing is down yet · ' : ''}${state} · since ${utcMinute(incident.firstSeen)} · ${reports}, the latest at ${utcMinute(incident.lastSeen)}`,
    quote(`Cause ${incident.cause}, seen by the ${incident.probe} probe of ${incident.probed}`),
  ];
  if (incident.state !== 'resolved')
    lines.push('Re-probed on a schedule: two clean probes in a row resolve it, and every reporter is told.');
  return { title, lines };
}

function renderReport(
  report: Report,
  style: TextStyle,
  paint: (name: AnsiName, text: string) => string,
): string {
  const expanded = style.expandedFixes ?? 3;
  const lines = [paint('bold', headline(report.understanding))];
  if (report.findings.length > 0 || report.refusals.length > 0) {
    lines.push('', paint('bold', 'Findings'));
    for (const finding of report.findings) {
      const { mark, color } = STATUS_MARK[finding.status];
      lines.push(`  ${paint(color, mark)} ${finding.summary}`);
    }
    for (const refusal of report.refusals)
      lines.push(`  ${paint('yellow', STATUS_MARK.refused.mark)} ${refusal.target}: ${refusal.reason}`);
  }
  lines.push(
    '',
    paint('bold', report.fixes.length > 0 ? 'Fixes, most likely first' : 'No specific fix found'),
  );
  if (report.fixes.length === 0) {
    lines.push(
      '  I could not match this to a known fix. Send the exact error code and extended code from the dialog, and the host name.',
    );
  }
  report.fixes.forEach((fix, index) => {
    lines.push(`  ${paint('cyan', `${index + 1}.`)} ${paint('bold', fix.title)}`);
    if (index >= expanded) return;
    for (const reason of fix.reasons) lines.push(paint('dim', `     why: ${reason}`));
    for (const step of fix.steps) {
      lines.push(`     - ${step.text}`);
      if (step.snippet)
        for (const codeLine of step.snippet.code.split('\n'))
          lines.push(`         ${paint('cyan', codeLine)}`);
      if (step.undo) {
        lines.push(`       ${paint('dim', `Undo: ${step.undo.text}`)}`);
        if (step.undo.snippet)
          for (const codeLine of step.undo.snippet.code.split('\n'))
            lines.push(`         ${paint('cyan', codeLine)}`);
      }
    }
  });
  const diagnostics = report.diagnostics ?? [];
  if (diagnostics.length > 0) {
    lines.push('', paint('bold', 'Diagnostics (read-only, run these first)'));
    for (const check of diagnostics) {
      lines.push(`  - ${check.text}`);
      for (const codeLine of check.snippet.code.split('\n')) lines.push(`      ${paint('cyan', codeLine)}`);
    }
  }
  lines.push('', paint('dim', `Triage took ${report.ms} ms (started ${report.startedAt}).`));
  return lines.join('\n');
}

/** "RDP failure · 0x904 (disconnect), 0x7 (extended) · srv-fin-02 · via rdg.corp". */
export function headline(understanding: Understanding): string {
  const parts = ['RDP failure'];
  if (understanding.intent === 'rdp_slow_or_quality') parts[0] = 'RDP slow / quality problem';
  if (understanding.codes.length > 0) {
    parts.push(
      understanding.codes
        .map((code) => `${code.value}${code.name ? ` ${code.name}` : ''} (${code.role})`)
        .join(', '),
    );
  }
  if (understanding.hosts.length > 0) parts.push(understanding.hosts.map((host) => host.name).join(', '));
  if (understanding.gateway) parts.push(`via ${understanding.gateway}`);
  if (understanding.symptoms.length > 0) parts.push(understanding.symptoms.join(', '));
  return parts.join(' · ');
}
