import { describe, expect, test } from 'vitest';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import { createCodeBook } from '../../src/fixes/code-book.js';
import type { KnowledgeBase } from '../../src/fixes/knowledge-base.js';
import { matchCases } from '../../src/fixes/match-cases.js';
import { rank } from '../../src/fixes/rank.js';
import { understand } from '../../src/intents/understand.js';

// Resolved reports as nearest neighbours (cases.yaml): a message worded like a report that a fix
// resolved moves that fix up, and the reason names the shared words and the thread. The cases
// here are written for the test (made-up sources), never corpus lines.
const builtin = loadBuiltinKnowledgeBase();
const codeBook = createCodeBook(builtin);
const withCases = (cases: KnowledgeBase['cases']): KnowledgeBase => ({ ...builtin, cases });
const SOURCE = 'https://example.org/threads/1';
const kb = withCases([
  {
    fix: 'restart-windows-audio-service',
    also: [],
    text: 'no sound at all in my remote session, the speaker icon in the remote tray has a red cross',
    source: SOURCE,
  },
]);
const terms = (text: string) => understand(text, { codeBook }).terms ?? [];

describe('resolved reports (matchCases)', () => {
  test('a message worded like a report finds the fix that resolved it, once, with the words and the source', () => {
    const matches = matchCases(
      kb,
      terms('rdp session: speaker icon in the tray shows a red cross, no sound'),
    );
    expect(matches.map((m) => m.fixId)).toEqual(['restart-windows-audio-service']);
    expect(matches[0]?.source).toBe(SOURCE);
    expect(matches[0]?.words).toContain('speaker');
  });

  test('words the report does not share find nothing', () => {
    expect(matchCases(kb, terms('the gateway certificate expired yesterday'))).toEqual([]);
  });

  test("ranking quotes the report's thread as the reason; without cases that reason is gone", () => {
    const text = 'speaker icon in the remote tray has a red cross';
    const reasons = (base: KnowledgeBase) =>
      rank(understand(text, { codeBook }), [], {}, base)
        .find((fix) => fix.id === 'restart-windows-audio-service')
        ?.reasons.join(' ') ?? '';
    expect(reasons(kb)).toContain(SOURCE);
    expect(reasons(withCases([]))).not.toContain(SOURCE);
  });

  test('probe evidence still outweighs a report: a refused port puts the listener first', () => {
    const understanding = understand('rdp to srv-a.corp: no sound, red cross on the speaker icon', {
      codeBook,
    });
    const refused = {
      probe: 'tcp',
      target: 'srv-a.corp:3389',
      status: 'refused',
      code: 'TCP_REFUSED',
      summary: 'srv-a.corp:3389 refused the connection',
      ms: 3,
    } as const;
    const top = rank(understanding, [refused], {}, kb)[0]?.id;
    expect(top).not.toBe('restart-windows-audio-service');
  });
});
