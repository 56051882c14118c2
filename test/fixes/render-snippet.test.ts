import { describe, expect, test } from 'vitest';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import { rank } from '../../src/fixes/rank.js';
import { escapeFor, fillPlaceholders, type SnippetValues } from '../../src/fixes/render-snippet.js';
import type { Understanding } from '../../src/report/understanding.js';

const HOSTILE = [
  "srv'; Remove-Item C:\\ -Recurse; '",
  'srv" & del /q C:\\* & "',
  'srv$(Invoke-Expression calc)',
  'srv`whoami`',
  'srv; shutdown /s',
  'srv\nRemove-Item C:\\',
  'srv\r\ncmdkey /delete:*',
  'srv\u2019; calc; \u2018',
  'srv\u201c & calc & \u201d',
  'srv %COMSPEC% !PATH!',
  'srv | calc > out.txt',
  'srv\u202e\u2028calc',
  'srv\\" /f /d x',
];

const values = (host: string): SnippetValues => ({
  host,
  port: 3389,
  gateway: host,
  codeDec: 2308,
  extDec: 7,
});

/** Splits a PowerShell line into what is inside '…' and what is outside (doubled '' stays inside). */
function outsidePowerShellQuotes(line: string): string {
  let outside = '';
  let inside = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      if (inside && line[i + 1] === "'") {
        i++;
        continue;
      }
      inside = !inside;
      continue;
    }
    if (!inside) outside += c;
  }
  expect(inside, `unterminated quote in ${line}`).toBe(false);
  return outside;
}

function outsideCmdQuotes(line: string): string {
  return line
    .split('"')
    .filter((_, index) => index % 2 === 0)
    .join('');
}

describe('snippet quoting with hostile host names', () => {
  test.for(HOSTILE)('powershell: %j stays inside its single quotes', (host) => {
    const code = fillPlaceholders(
      "Test-NetConnection -ComputerName '{host}' -Port {port}",
      'powershell',
      values(host),
    );
    expect(code.split('\n')).toHaveLength(1);
    expect(outsidePowerShellQuotes(code)).toBe('Test-NetConnection -ComputerName  -Port 3389');
  });

  test.for(HOSTILE)('cmd: %j stays inside its double quotes', (host) => {
    const code = fillPlaceholders('cmdkey /delete:"TERMSRV/{host}"', 'cmd', values(host));
    expect(code.split('\n')).toHaveLength(1);
    expect(outsideCmdQuotes(code)).toBe('cmdkey /delete:');
    expect(code).not.toMatch(/[%!&|<>^]/);
  });

  test.for(HOSTILE)('reg: %j cannot end the .reg string', (host) => {
    const code = fillPlaceholders('"Server"="{host}"', 'reg', values(host));
    expect(code.split('\n')).toHaveLength(1);
    // Every quote inside the value is escaped: the string ends only at the final quote.
    const body = code.slice('"Server"="'.length, -1);
    expect(body.replace(/\\\\/g, '').replace(/\\"/g, '')).not.toContain('"');
  });

  test('plain names are left as they are', () => {
    expect(escapeFor('powershell', 'srv-fin-02.corp.example')).toBe('srv-fin-02.corp.example');
    expect(escapeFor('cmd', 'fe80::1')).toBe('fe80::1');
  });

  test('a port that is not a port falls back to 3389; missing values become visible placeholders', () => {
    const filled = fillPlaceholders("'{host}' {port} '{gateway}'", 'powershell', {
      host: null,
      port: 70000,
      gateway: null,
      codeDec: null,
      extDec: null,
    });
    expect(filled).toBe("'<server>' 3389 '<gateway>'");
    expect(
      fillPlaceholders('on {host}', 'prose', {
        host: null,
        port: 1,
        gateway: null,
        codeDec: null,
        extDec: null,
      }),
    ).toBe('on <server>');
  });
});

describe('every shipped snippet keeps host and gateway inside quotes', () => {
  const kb = loadBuiltinKnowledgeBase();
  const snippets = kb.fixes.flatMap((fix) =>
    [...fix.steps, fix.verify].flatMap((step) => (step.snippet ? [{ id: fix.id, ...step.snippet }] : [])),
  );

  test.for(snippets.filter((s) => s.lang === 'powershell' || s.lang === 'cmd'))(
    '$id ($lang)',
    ({ lang, code }) => {
      for (const line of code.split('\n')) {
        const outside = lang === 'powershell' ? outsidePowerShellQuotes(line) : outsideCmdQuotes(line);
        expect(outside).not.toMatch(/\{(host|gateway)\}/);
      }
    },
  );

  test('a ranked report built from a hostile message carries no line breaks or open quotes', () => {
    const host = HOSTILE[0] as string;
    const understanding: Understanding = {
      intent: 'rdp_failure',
      confidence: 1,
      codes: [{ value: '0x904', role: 'disconnect' }],
      hosts: [{ name: host, kind: 'short' }],
      gateway: 'rdg"; calc; "',
      symptoms: ['credentials_rejected'],
    };
    const fixes = rank(understanding, []);
    const all = fixes.flatMap((fix) => fix.steps.flatMap((step) => (step.snippet ? [step.snippet] : [])));
    expect(all.length).toBeGreaterThan(3);
    for (const snippet of all) {
      for (const line of snippet.code.split('\n')) {
        if (snippet.lang === 'powershell')
          expect(outsidePowerShellQuotes(line)).not.toContain('Remove-Item C:');
        if (snippet.lang === 'cmd') expect(outsideCmdQuotes(line)).not.toContain('calc');
      }
    }
  });
});
