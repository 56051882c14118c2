import { describe, expect, test } from 'vitest';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import type { FixData } from '../../src/fixes/kb-schema.js';
import { snippetValues, toRankedFix } from '../../src/fixes/rank.js';
import { changesMachine, dropsSessions, findStepHazards } from '../../src/fixes/step-safety.js';
import type { Understanding } from '../../src/report/understanding.js';

// Safe snippets (issue 17, item 5): every snippet we hand a user says what it changes and how to
// undo it, warns before it ends sessions, never changes ACLs recursively, and shows no unfilled
// placeholder — checked on every step of every shipped fix, rendered with and without a host.
const kb = loadBuiltinKnowledgeBase();

const base: Understanding = {
  intent: 'rdp_failure',
  confidence: 1,
  codes: [{ value: '0x904', role: 'disconnect' }],
  hosts: [],
  gateway: null,
  symptoms: [],
};
const WITH_HOST: Understanding = {
  ...base,
  hosts: [{ name: 'srv-fin-02.corp.example', kind: 'fqdn' }],
  gateway: 'rdg.corp.example',
};

describe('every shipped fix', () => {
  test('has no step hazard: a change without its undo, a restart without a session warning, a recursive ACL', () => {
    expect(kb.fixes.flatMap((fix) => findStepHazards(fix))).toEqual([]);
  });

  test.for([
    ['with a host and gateway', WITH_HOST],
    ['without a host', base],
  ] as const)('rendered %s leaves no placeholder unfilled or unexplained', ([, understanding]) => {
    const values = snippetValues(understanding);
    for (const fix of kb.fixes) {
      const shown = toRankedFix(fix, 1, [], values);
      const parts = shown.steps.flatMap((step) => [step, ...(step.undo ? [step.undo] : [])]);
      for (const part of parts) {
        const all = `${part.text}\n${part.snippet?.code ?? ''}`;
        expect(all, fix.id).not.toMatch(/\{(host|port|gateway|code_dec|ext_dec)\}/);
        expect(part.snippet?.code ?? '', fix.id).not.toMatch(/(["'/])(HOST|GATEWAY)\1?/);
        if (understanding.hosts.length > 0) expect(all, fix.id).not.toContain('<server>');
        // A visible placeholder always comes with the line that says what to put there.
        if (all.includes('<server>')) expect(part.text, fix.id).toContain('Replace <server>');
        if (all.includes('<gateway>')) expect(part.text, fix.id).toContain('Replace <gateway>');
      }
    }
  });

  test('a changing step shows its undo to the user', () => {
    const values = snippetValues(WITH_HOST);
    const udp = toRankedFix(
      kb.fixById.get('force-tcp-disable-udp') as NonNullable<ReturnType<typeof kb.fixById.get>>,
      1,
      [],
      values,
    );
    const regStep = udp.steps.find((step) => step.snippet?.code.includes('reg add'));
    // Turning UDP off is undone by deleting the policy value it set, not by writing another value.
    expect(regStep?.undo?.snippet?.code).toMatch(/^reg delete ".*\\Client" \/v fClientDisableUDP \/f$/);
  });
});

describe('the hazard rules themselves', () => {
  const fix = (steps: FixData['steps'], verify: FixData['verify'] = { text: 'it works' }): FixData => ({
    id: 'probe-fix',
    title: 'A fix for this test',
    audience: 'server_admin',
    risk: 'low',
    causes: { unknown: 1 },
    codes: [],
    generic: false,
    community: false,
    source: [],
    steps,
    verify,
  });

  test('a registry change without an undo is caught; with one it passes', () => {
    const change = { lang: 'cmd' as const, code: 'reg add "HKLM\\SOFTWARE\\X" /v Y /t REG_DWORD /d 1 /f' };
    expect(findStepHazards(fix([{ text: 'Set it.', snippet: change }])).map((h) => h.rule)).toEqual([
      'undo-missing',
    ]);
    expect(
      findStepHazards(
        fix([
          {
            text: 'Set it.',
            snippet: change,
            undo: {
              text: 'Delete it.',
              snippet: { lang: 'cmd', code: 'reg delete "HKLM\\SOFTWARE\\X" /v Y /f' },
            },
          },
        ]),
      ),
    ).toEqual([]);
  });

  test('a TermService restart must say that it ends the sessions', () => {
    const restart = { lang: 'powershell' as const, code: 'Restart-Service TermService -Force' };
    expect(findStepHazards(fix([{ text: 'Restart it.', snippet: restart }])).map((h) => h.rule)).toEqual([
      'sessions-not-warned',
    ]);
    expect(
      findStepHazards(fix([{ text: 'Restart it; this ends every session.', snippet: restart }])),
    ).toEqual([]);
  });

  test('icacls /t is refused, and a verify step may only read', () => {
    const acl = { lang: 'cmd' as const, code: 'icacls C:\\Data /t /grant "Users:(R)"' };
    expect(
      findStepHazards(fix([{ text: 'Grant. Undo: icacls /reset.', snippet: acl }])).map((h) => h.rule),
    ).toEqual(['recursive-acl']);
    expect(
      findStepHazards(
        fix([{ text: 'Look.' }], {
          text: 'x',
          snippet: { lang: 'cmd', code: 'reg add "HKLM\\X" /v Y /d 1 /f' },
        }),
      ).map((h) => h.rule),
    ).toEqual(['verify-changes']);
  });

  test('reading commands are not changes', () => {
    expect(changesMachine('reg query "HKLM\\SYSTEM" /v X')).toBe(false);
    expect(changesMachine('Get-Service TermService')).toBe(false);
    expect(dropsSessions('Get-Service TermService')).toBe(false);
    expect(dropsSessions('Restart-Computer -Force')).toBe(true);
  });
});
