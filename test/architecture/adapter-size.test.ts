import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

// An adapter only translates: platform event → core call → platform API call (README
// "Architecture"). What is not translation — dedupe, limits, votes, reports, the watch policy,
// rendering, settings, directory look-ups — lives in the core, so an adapter stays small enough
// to read in one sitting. Lines of code here are cloc's: blank lines and comment lines do not
// count (a comment that says why is never the reason an adapter is too long).

const ADAPTERS = fileURLToPath(new URL('../../src/bot/adapters/', import.meta.url));
const MAX_ADAPTER_LINES = 300;
/**
 * Adapters over the bar, held where they are so they can only shrink (none now: Slack met it once
 * its pure payload reading moved to src/bot/incoming/slack.ts and its Bolt options to
 * src/config/slack-env.ts; Teams when its Bot Framework options moved to src/config/teams-env.ts).
 * An adapter is its platform SDK's wiring; pure mapping of the platform's JSON (in: incoming/,
 * out: render/) is tested without the SDK.
 */
const CEILINGS: Record<string, number> = {};
const MAX_FUNCTION_LINES = 60;

const adapters = readdirSync(ADAPTERS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

function filesOf(adapter: string): string[] {
  return readdirSync(join(ADAPTERS, adapter), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ADAPTERS, adapter, file));
}

/** Lines that hold code: not blank, not only a comment (`//`, or inside `/* … *\/`). */
function codeLines(text: string): number {
  let inBlock = false;
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) {
        inBlock = false;
        if (line.slice(line.indexOf('*/') + 2).trim() !== '') count += 1;
      }
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlock = true;
      else if (line.slice(line.indexOf('*/') + 2).trim() !== '') count += 1;
      continue;
    }
    count += 1;
  }
  return count;
}

/** Every function of a file with its length in lines (declarations, expressions, arrows, methods). */
function functionsOf(file: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name?.getText(source) ?? `(anonymous at line ${start + 1})`;
      found.push({ name: `${file.slice(ADAPTERS.length)} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('chat adapters stay translators', () => {
  test('there are the three adapters', () => {
    expect(adapters).toEqual(expect.arrayContaining(['console', 'slack', 'teams']));
  });

  test.each(adapters)(
    `%s has at most ${MAX_ADAPTER_LINES} lines of code in all (or its ceiling)`,
    (adapter) => {
      const lines = filesOf(adapter).reduce((sum, file) => sum + codeLines(readFileSync(file, 'utf8')), 0);
      expect(lines).toBeLessThanOrEqual(CEILINGS[adapter] ?? MAX_ADAPTER_LINES);
    },
  );

  test('a ceiling is never above what its adapter needs, nor kept once it meets the bar', () => {
    for (const [adapter, ceiling] of Object.entries(CEILINGS)) {
      const lines = filesOf(adapter).reduce((sum, file) => sum + codeLines(readFileSync(file, 'utf8')), 0);
      expect({ adapter, ceiling }).toEqual({ adapter, ceiling: Math.max(lines, MAX_ADAPTER_LINES + 1) });
    }
  });

  test.each(adapters)(`no function of %s is longer than ${MAX_FUNCTION_LINES} lines`, (adapter) => {
    const long = filesOf(adapter)
      .flatMap(functionsOf)
      .filter((fn) => fn.lines > MAX_FUNCTION_LINES);
    expect(long).toEqual([]);
  });

  test('the counter skips blank and comment lines only', () => {
    const text = [
      '/**',
      ' * why',
      ' */',
      'const a = 1; // note',
      '',
      '// only a comment',
      '/* x */ const b = 2;',
    ];
    expect(codeLines(text.join('\n'))).toBe(2);
  });
});
