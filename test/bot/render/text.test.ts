import { describe, expect, test } from 'vitest';
import { renderText } from '../../../src/bot/render/text.js';
import type { Report } from '../../../src/report/report.js';

const REPORT: Report = {
  understanding: {
    intent: 'rdp_failure',
    confidence: 0.97,
    codes: [
      { value: '0x904', role: 'disconnect' },
      { value: '0x7', role: 'extended', name: 'exDiscReasonServerDeniedConnection' },
    ],
    hosts: [{ name: 'srv-fin-02', kind: 'short' }],
    gateway: 'rdg.corp.example',
    symptoms: [],
  },
  findings: [
    {
      probe: 'tcp',
      target: 'srv-fin-02:3389',
      status: 'fail',
      code: 'TCP_REFUSED',
      summary: 'TCP srv-fin-02:3389 refused',
      ms: 4,
    },
  ],
  fixes: [
    {
      id: 'a',
      title: 'Open the firewall',
      score: 30,
      reasons: ['TCP 3389 refused on srv-fin-02 (probe tcp, 4 ms)'],
      steps: [
        {
          text: 'Run this',
          snippet: { lang: 'powershell', code: "Enable-NetFirewallRule -DisplayGroup 'Remote Desktop'" },
        },
      ],
    },
    { id: 'b', title: 'Second', score: 20, reasons: [], steps: [{ text: 'x' }] },
    { id: 'c', title: 'Third', score: 10, reasons: [], steps: [{ text: 'y' }] },
    {
      id: 'd',
      title: 'Fourth, listed by title only',
      score: 5,
      reasons: ['hidden reason'],
      steps: [{ text: 'hidden step' }],
    },
  ],
  refusals: [{ target: '192.0.2.1', reason: 'not allowed to probe' }],
  startedAt: '2026-11-25T10:00:00.000Z',
  ms: 123,
};

describe('renderText', () => {
  test('a report reads top-down: headline, findings, refusals, numbered fixes with reasons and snippets', () => {
    const text = renderText({ kind: 'report', report: REPORT }, { color: false });
    expect(text.split('\n')[0]).toBe(
      'RDP failure · 0x904 (disconnect), 0x7 exDiscReasonServerDeniedConnection (extended) · srv-fin-02 · via rdg.corp.example',
    );
    expect(text).toContain('✘ TCP srv-fin-02:3389 refused');
    expect(text).toContain('192.0.2.1: not allowed to probe');
    expect(text).toContain('1. Open the firewall');
    expect(text).toContain('why: TCP 3389 refused on srv-fin-02 (probe tcp, 4 ms)');
    expect(text).toContain("Enable-NetFirewallRule -DisplayGroup 'Remote Desktop'");
    expect(text).toContain('4. Fourth, listed by title only');
    expect(text).not.toContain('hidden step');
    expect(text).toContain('Triage took 123 ms');
    expect(text).not.toContain('\u001b[');
  });

  test('colours only when asked', () => {
    expect(renderText({ kind: 'report', report: REPORT }, { color: true })).toContain('\u001b[31m✘');
  });

  test('progress shows what is being probed and the findings so far', () => {
    const text = renderText(
      {
        kind: 'progress',
        understanding: REPORT.understanding,
        findings: REPORT.findings,
        targets: ['srv-fin-02:3389 through jump-eu'],
      },
      { color: false },
    );
    expect(text).toContain('Probing srv-fin-02:3389 through jump-eu…');
    expect(text).toContain('TCP srv-fin-02:3389 refused');
  });
});
