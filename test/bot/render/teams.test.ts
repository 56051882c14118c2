import { describe, expect, test } from 'vitest';
import { CARD_MAX_BYTES, cardBytes, renderTeamsCard } from '../../../src/bot/render/teams.js';
import type { Finding } from '../../../src/report/finding.js';
import type { RankedFix } from '../../../src/report/ranked-fix.js';
import type { Reply } from '../../../src/report/reply.js';
import type { Report } from '../../../src/report/report.js';
import type { Understanding } from '../../../src/report/understanding.js';
import { cardActions, cardTexts } from '../teams-connector.js';

const understanding: Understanding = {
  intent: 'rdp_failure',
  confidence: 0.9,
  codes: [
    { value: '0x904', role: 'disconnect' },
    { value: '0x7', role: 'extended' },
  ],
  hosts: [{ name: 'srv-fin-02.corp.example', kind: 'fqdn' }],
  gateway: 'rdg.corp.example',
  symptoms: [],
};

const findings: Finding[] = [
  {
    probe: 'tcp',
    target: 'srv-fin-02.corp.example:3389',
    status: 'ok',
    code: 'TCP_OPEN',
    summary: 'TCP srv-fin-02.corp.example:3389 open (3 ms)',
    ms: 3,
  },
  {
    probe: 'tls',
    target: 'srv-fin-02.corp.example:3389',
    status: 'fail',
    code: 'TLS_CERT_NAME_MISMATCH',
    // A certificate subject is chosen by whoever runs the server: it must not become a link.
    summary: 'certificate is for [click me](https://evil.example) **not** srv-fin-02',
    ms: 25,
  },
];

function fix(
  id: string,
  title: string,
  code = "Set-ItemProperty -Path 'HKLM:\\x' -Name a_b -Value 1\nqwinsta *",
): RankedFix {
  return {
    id,
    title,
    score: 10,
    reasons: [`because ${id}`],
    steps: [{ text: `do ${id}`, snippet: { lang: 'powershell', code } }, { text: 'then verify' }],
  };
}

const report: Report = {
  understanding,
  findings,
  fixes: [
    fix('cert-name', 'Fix the certificate name'),
    fix('open-firewall', 'Open the firewall'),
    fix('udp', 'Turn off UDP'),
    fix('logs', 'Read the logs'),
  ],
  refusals: [{ target: '8.8.8.8', reason: 'not in the allowed networks' }],
  startedAt: '2026-11-25T10:00:00.000Z',
  ms: 412,
};

// biome-ignore lint/suspicious/noExplicitAny: walks open JSON.
function elements(node: any, type: string): any[] {
  if (Array.isArray(node)) return node.flatMap((n) => elements(n, type));
  if (!node || typeof node !== 'object') return [];
  return [...(node.type === type ? [node] : []), ...Object.values(node).flatMap((v) => elements(v, type))];
}

describe('renderTeamsCard', () => {
  test('a progress card: header with codes and hosts, the targets, findings with their status', () => {
    const card = renderTeamsCard({
      kind: 'progress',
      understanding,
      findings: findings.slice(0, 1),
      targets: ['srv-fin-02.corp.example:3389'],
    });
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    const texts = cardTexts(card);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Codes: 0x904 (disconnect), 0x7 (extended)',
        'Hosts: srv-fin-02.corp.example',
        'Gateway: rdg.corp.example',
        'Probing srv-fin-02.corp.example:3389…',
        '✔ ok  ',
        'TCP srv-fin-02.corp.example:3389 open (3 ms)',
      ]),
    );
    expect(card.actions).toBeUndefined();
  });

  test('a report: findings with status colours, refusals, ranked fixes with verbatim monospace snippets', () => {
    const card = renderTeamsCard(
      { kind: 'report', report },
      { triageId: 'act-7', rerunText: 'rdp 0x904 on srv-fin-02' },
    );
    const texts = cardTexts(card);
    expect(texts.filter((t) => /^\d\. /.test(t)).slice(0, 3)).toEqual([
      '1. Fix the certificate name',
      '2. Open the firewall',
      '3. Turn off UDP',
    ]);
    expect(texts).toContain('✘ fail  ');
    expect(texts).toContain('8.8.8.8: not in the allowed networks');
    const runs = elements(card.body, 'TextRun');
    const failRun = runs.find((r) => r.text === '✘ fail  ');
    expect(failRun.color).toBe('Attention');
    // Snippet lines arrive one TextRun each, monospace, character for character.
    const mono = runs.filter((r) => r.fontType === 'Monospace').map((r) => r.text);
    expect(mono.slice(0, 2)).toEqual(["Set-ItemProperty -Path 'HKLM:\\x' -Name a_b -Value 1", 'qwinsta *']);
    // Untrusted text never sits in a markdown TextBlock.
    for (const block of elements(card, 'TextBlock')) expect(block.text).not.toContain('evil.example');
    expect(runs.some((r) => r.text === findings[1]?.summary)).toBe(true);
    expect(texts).toContain('1 more fix under "All fixes".');
  });

  test('actions: all fixes in a ShowCard, feedback per shown fix, run again with the original text', () => {
    const card = renderTeamsCard(
      { kind: 'report', report },
      { triageId: 'act-7', rerunText: 'rdp 0x904 on srv-fin-02' },
    );
    const showCard = card.actions?.find((a) => a.type === 'Action.ShowCard');
    expect(showCard?.title).toBe('All 4 fixes');
    expect(cardTexts(showCard?.card).filter((t) => /^\d\. /.test(t))).toEqual([
      '1. Fix the certificate name',
      '2. Open the firewall',
      '3. Turn off UDP',
      '4. Read the logs',
    ]);
    const feedback = cardActions(card.body).filter((a) => a.verb === 'rdp-triage.feedback');
    expect(feedback.map((a) => [a.data.fixId, a.data.helped])).toEqual([
      ['cert-name', true],
      ['cert-name', false],
      ['open-firewall', true],
      ['open-firewall', false],
      ['udp', true],
      ['udp', false],
    ]);
    for (const action of feedback) {
      expect(action).toMatchObject({ type: 'Action.Execute', data: { triageId: 'act-7' } });
      expect(action.fallback).toEqual({ type: 'Action.Submit', title: action.title, data: action.data });
    }
    const rerun = card.actions?.find((a) => a.verb === 'rdp-triage.rerun');
    expect(rerun?.data).toEqual({ verb: 'rdp-triage.rerun', text: 'rdp 0x904 on srv-fin-02' });
  });

  test('without a triage id (not posted yet) there are no feedback buttons; a vote shows who voted', () => {
    expect(cardActions(renderTeamsCard({ kind: 'report', report })).filter((a) => a.verb)).toEqual([]);
    const voted = renderTeamsCard(
      { kind: 'report', report },
      { triageId: 'act-7', votes: { 'open-firewall': { helped: false, name: 'Grace Hopper' } } },
    );
    expect(cardTexts(voted)).toContain('👎 Did not help — Grace Hopper');
  });

  test('a report with no fix says so', () => {
    const texts = cardTexts(renderTeamsCard({ kind: 'report', report: { ...report, fixes: [] } }));
    expect(texts).toContain('No specific fix found');
    expect(texts.some((t) => t.startsWith('I could not match this'))).toBe(true);
  });

  test('a text reply keeps its lines', () => {
    const reply: Reply = { kind: 'text', text: 'first line\n  rdp 0x904 on srv-fin-02\nlast' };
    expect(cardTexts(renderTeamsCard(reply))).toEqual(['first line', '  rdp 0x904 on srv-fin-02', 'last']);
  });

  test('a very large report stays within the 28 KB Teams limit and still leads with the best fix', () => {
    const longSnippet = Array.from(
      { length: 60 },
      (_, i) => `Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Key${i}' -Name Value${i} -Value ${i}`,
    ).join('\n');
    const big: Report = {
      ...report,
      findings: Array.from({ length: 150 }, (_, i) => ({
        ...(findings[0] as Finding),
        summary: `finding ${i} ${'x'.repeat(300)}`,
      })),
      fixes: Array.from({ length: 80 }, (_, i) => ({
        ...fix(`fix-${i}`, `Fix number ${i} ${'with a long title '.repeat(5)}`, longSnippet),
        reasons: Array.from({ length: 5 }, (_, r) => `reason ${r} ${'because '.repeat(40)}`),
      })),
    };
    const card = renderTeamsCard(
      { kind: 'report', report: big },
      { triageId: 'act-1', rerunText: 'x'.repeat(5000) },
    );
    // The whole message as the connector sends it: activity envelope plus card.
    const message = {
      type: 'message',
      id: 'act-1',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversation: { id: '19:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.tacv2;messageid=1700000000001' },
      from: { id: '28:00000000-0000-0000-0000-000000000000', name: 'RDP Triage' },
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
    };
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(28 * 1024);
    const texts = cardTexts(card);
    expect(texts.find((t) => t.startsWith('1. Fix number 0'))).toBeDefined();
    expect(card.actions?.find((a) => a.type === 'Action.ShowCard')?.title).toBe('All 80 fixes');
    expect(texts.some((t) => /more findings$/.test(t))).toBe(true);
    // The same report, small enough, is not cut at all.
    expect(cardTexts(renderTeamsCard({ kind: 'report', report }))).toContain('3. Turn off UDP');
  });
});

test('a note (what was read from a screenshot) sits right under the header, in progress and report', () => {
  const note = 'From your screenshot: "Error code: 0x904"';
  for (const reply of [
    { kind: 'progress', understanding, findings: [], targets: [], note },
    { kind: 'report', report, note },
  ] satisfies Reply[]) {
    const texts = cardTexts(renderTeamsCard(reply));
    expect(texts.indexOf(note)).toBe(texts.findIndex((t) => t.startsWith('Gateway:')) + 1);
  }
});
