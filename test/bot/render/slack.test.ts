import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ACTION_IDS, renderSlack, SLACK_LIMITS, type SlackMessage } from '../../../src/bot/render/slack.js';
import type { Finding } from '../../../src/report/finding.js';
import type { RankedFix } from '../../../src/report/ranked-fix.js';
import type { Report } from '../../../src/report/report.js';

// Reports produced by `rdp-triage triage --json` against loopback servers (test/helpers/x224-server.ts).
const REPORTS = ['report-refused', 'report-hybrid-required', 'report-not-allowed'].map((name) => ({
  name,
  report: JSON.parse(
    readFileSync(new URL(`../../fixtures/slack/${name}.json`, import.meta.url), 'utf8'),
  ) as Report,
}));

/** Every limit Slack enforces on a message, as a list of violations. */
function violations(message: SlackMessage): string[] {
  const found: string[] = [];
  if (message.blocks.length > SLACK_LIMITS.blocks) found.push(`${message.blocks.length} blocks`);
  if (message.text.length === 0 || message.text.length > SLACK_LIMITS.fallbackText)
    found.push('fallback text');
  const size = JSON.stringify(message.blocks).length;
  if (size > SLACK_LIMITS.totalChars) found.push(`${size} chars of blocks`);
  for (const block of message.blocks) {
    if (block.type === 'section' && block.text.text.length > SLACK_LIMITS.sectionText)
      found.push(`section of ${block.text.text.length}`);
    if (block.type === 'header' && block.text.text.length > SLACK_LIMITS.headerText) found.push('header');
    if (block.type === 'context')
      for (const element of block.elements)
        if (element.text.length > SLACK_LIMITS.contextText) found.push('context');
    if (block.type === 'actions')
      for (const element of block.elements)
        if ((element.value ?? '').length > SLACK_LIMITS.buttonValue) found.push('button value');
    if (block.type === 'section' && (block.text.text.match(/```/g) ?? []).length % 2 !== 0)
      found.push('unbalanced code block');
  }
  return found;
}

const allText = (message: SlackMessage) => JSON.stringify(message.blocks);

describe('renderSlack on real reports', () => {
  test.for(REPORTS)('$name: within limits and stable', ({ name, report }) => {
    const message = renderSlack({ kind: 'report', report }, { requestText: 'rdp 0x904 on srv-fin-02' });
    expect(violations(message)).toEqual([]);
    expect(message).toMatchSnapshot(name);
  });

  test.for(REPORTS)(
    '$name: header names the codes and hosts, every finding has a status emoji',
    ({ report }) => {
      const message = renderSlack({ kind: 'report', report });
      const header = message.blocks[0];
      expect(header?.type).toBe('header');
      for (const code of report.understanding.codes) expect(JSON.stringify(header)).toContain(code.value);
      for (const host of report.understanding.hosts) expect(JSON.stringify(header)).toContain(host.name);
      for (const finding of report.findings)
        expect(allText(message)).toMatch(new RegExp(`:[a-z_]+: ${escapeRegExp(finding.summary)}`));
    },
  );

  test.for(REPORTS)(
    '$name: top three fixes expanded with buttons, the rest behind "All fixes"',
    ({ report }) => {
      const message = renderSlack({ kind: 'report', report });
      const voteBlocks = message.blocks.filter((b) => b.type === 'actions' && b.block_id.startsWith('fix:'));
      expect(voteBlocks.map((b) => (b.type === 'actions' ? b.block_id : ''))).toEqual(
        report.fixes.slice(0, 3).map((fix) => `fix:${fix.id}`),
      );
      const showAll = allText(message).includes(ACTION_IDS.showAll);
      expect(showAll).toBe(report.fixes.length > 3);
      const expanded = renderSlack({ kind: 'report', report }, { expandAll: true });
      expect(
        expanded.blocks.filter((b) => b.type === 'actions' && b.block_id.startsWith('fix:')),
      ).toHaveLength(report.fixes.length);
      expect(allText(expanded)).not.toContain(ACTION_IDS.showAll);
    },
  );
});

describe('renderSlack keeps a long report inside the limits', () => {
  const longFix = (i: number): RankedFix => ({
    id: `fix-${i}`,
    title: `Fix number ${i} ${'with a long title '.repeat(5)}`,
    score: 100 - i,
    reasons: [`reason ${i} `.repeat(40)],
    steps: Array.from({ length: 4 }, (_, s) => ({
      text: `Step ${s} of fix ${i}: ${'do this carefully '.repeat(10)}`,
      snippet: { lang: 'powershell' as const, code: `Get-Thing -Id ${i}-${s}\n`.repeat(60) },
    })),
  });
  const finding = (i: number): Finding => ({
    probe: 'tcp',
    target: `host-${i}:3389`,
    status: i % 2 ? 'fail' : 'ok',
    code: 'TCP_OPEN',
    summary: `TCP host-${i}:3389 ${'answered '.repeat(8)}`,
    ms: i,
  });
  const base = JSON.parse(JSON.stringify(REPORTS[0]?.report)) as Report;
  const rows = [
    { desc: '40 fixes with long snippets', fixes: 40, findings: 2, expandAll: true },
    { desc: '200 findings', fixes: 5, findings: 200, expandAll: false },
    { desc: 'both, expanded', fixes: 60, findings: 200, expandAll: true },
  ];
  test.for(rows)('$desc', ({ fixes, findings, expandAll }) => {
    const report: Report = {
      ...base,
      fixes: Array.from({ length: fixes }, (_, i) => longFix(i)),
      findings: Array.from({ length: findings }, (_, i) => finding(i)),
    };
    const message = renderSlack({ kind: 'report', report }, { expandAll, requestText: 'x'.repeat(5000) });
    expect(violations(message)).toEqual([]);
    // What does not fit is still named: every fix title or a count, and the controls and timings stay.
    const text = allText(message);
    const expanded = message.blocks.filter(
      (b) => b.type === 'actions' && b.block_id.startsWith('fix:'),
    ).length;
    expect(expanded).toBeGreaterThanOrEqual(1);
    expect(text).toContain('Fix number 0');
    expect(text).toContain(`${fixes - expanded} more fixes`);
    expect(text).toContain(`${expanded + 1}. Fix number ${expanded}`);
    expect(text).toContain(ACTION_IDS.rerun);
    expect(message.blocks.at(-1)?.type).toBe('context');
    expect(text).toContain('Triage took');
    if (findings > 50) expect(text).toMatch(/…and \d+ more findings/);
  });

  test('a snippet longer than a section is cut inside its code block', () => {
    const report: Report = {
      ...base,
      fixes: [{ ...longFix(1), steps: [{ text: 'x', snippet: { lang: 'cmd', code: 'a'.repeat(9000) } }] }],
    };
    const message = renderSlack({ kind: 'report', report });
    expect(violations(message)).toEqual([]);
    expect(allText(message)).toContain('… (truncated)```');
  });
});

describe('renderSlack treats text as text', () => {
  test('markup in user and probe text cannot mention the channel', () => {
    const message = renderSlack({ kind: 'text', text: 'hi <!channel> & <@U999|boss> <https://evil|click>' });
    expect(allText(message)).not.toMatch(/<[!@h]/);
    expect(allText(message)).toContain('&lt;!channel&gt; &amp;');
    expect(message.text).not.toContain('<!channel>');
  });

  test('a very long text reply is split into sections at line breaks', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'word '.repeat(10)}`).join('\n');
    const message = renderSlack({ kind: 'text', text });
    expect(violations(message)).toEqual([]);
    expect(message.blocks.length).toBeGreaterThan(1);
    expect(allText(message)).toContain('line 0 ');
  });

  test('progress names the targets and shows each finding as it arrives', () => {
    const report = REPORTS[1]?.report as Report;
    const message = renderSlack({
      kind: 'progress',
      understanding: report.understanding,
      findings: report.findings.slice(0, 1),
      targets: ['srv-fin-02:3389 through jump-eu'],
    });
    expect(allText(message)).toContain('Probing srv-fin-02:3389 through jump-eu…');
    expect(allText(message)).toContain(':large_green_circle: TCP srv-fin-02');
    expect(message.text).toContain('Probing srv-fin-02:3389 through jump-eu…');
    expect(violations(message)).toEqual([]);
  });

  test('a vote is shown under its fix, the buttons stay for others', () => {
    const report = REPORTS[0]?.report as Report;
    const fix = report.fixes[1] as RankedFix;
    const message = renderSlack(
      { kind: 'report', report },
      { votes: { [fix.id]: { user: 'U123ABC', helped: true } } },
    );
    const index = message.blocks.findIndex((b) => b.type === 'actions' && b.block_id === `fix:${fix.id}`);
    expect(JSON.stringify(message.blocks[index + 1])).toContain(
      ':white_check_mark: <@U123ABC> says this fixed it',
    );
    const value = JSON.parse(
      (message.blocks[index] as { elements: { value: string }[] }).elements[0]?.value ?? '{}',
    );
    expect(value).toEqual({ fix: fix.id, codes: report.understanding.codes.map((c) => c.value) });
  });
});

function escapeRegExp(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
