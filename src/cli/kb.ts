import { loadBuiltinKnowledgeBase } from '../fixes/builtin-kb.js';
import { createCodeBook } from '../fixes/code-book.js';
import type { CodeEntry, KnowledgeBase } from '../fixes/knowledge-base.js';
import { type CodeLookup, lookupCode } from '../fixes/lookup-code.js';
import { ROLE_LABELS } from '../fixes/resolve-code.js';
import { searchKnowledgeBase } from '../fixes/search-kb.js';
import { understand } from '../intents/understand.js';
import type { RankedFix } from '../report/ranked-fix.js';

// `rdp-triage kb …`: loaded only when a kb subcommand runs (src/cli/kb-command.ts).

export async function kbLookup(code: string, options: { json?: boolean; config?: string }): Promise<void> {
  const result = lookupCode(await knowledgeBase(options.config), code);
  write(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderLookup(result));
}

export async function kbSearch(words: string[], options: { json?: boolean; config?: string }): Promise<void> {
  const base = await knowledgeBase(options.config);
  const sentence = words.join(' ');
  const result = searchKnowledgeBase(
    base,
    sentence,
    10,
    understand(sentence, { codeBook: createCodeBook(base) }),
  );
  if (options.json) {
    write(
      `${JSON.stringify({ codes: result.codes.map((h) => ({ ...h.entry, score: h.score })), fixes: result.fixes.map((h) => ({ id: h.fix.id, title: h.fix.title, score: h.score })) }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    ...result.codes.map(({ entry }) => `code  ${describeEntry(entry)}`),
    ...result.fixes.map(({ fix }) => `fix   ${fix.id.padEnd(32)} ${fix.title}`),
  ];
  write(lines.length > 0 ? `${lines.join('\n')}\n` : `nothing found for "${words.join(' ')}"\n`);
}

export async function kbList(
  what: string | undefined,
  options: { json?: boolean; config?: string },
): Promise<void> {
  const base = await knowledgeBase(options.config);
  const parts = what === undefined ? ['codes', 'fixes', 'causes'] : [what];
  if (parts.some((part) => !['codes', 'fixes', 'causes'].includes(part))) {
    process.stderr.write(`kb list: unknown list "${what}" (codes, fixes or causes)\n`);
    process.exitCode = 2;
    return;
  }
  if (options.json) {
    const json: Record<string, unknown> = {};
    if (parts.includes('codes')) json.codes = base.codes;
    if (parts.includes('fixes')) json.fixes = base.fixes;
    if (parts.includes('causes')) json.causes = Object.fromEntries(base.causes);
    write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  if (parts.includes('codes')) {
    lines.push(`# ${base.codes.length} codes`, ...base.codes.map(describeEntry));
  }
  if (parts.includes('fixes')) {
    lines.push(`# ${base.fixes.length} fixes`);
    for (const fix of base.fixes)
      lines.push(
        `${fix.id.padEnd(32)} ${(fix.ref ?? '').padEnd(4)} ${fix.audience.padEnd(12)} ${fix.risk.padEnd(6)} ${fix.title}`,
      );
  }
  if (parts.includes('causes')) {
    lines.push(`# ${base.causes.size} causes`);
    for (const [id, text] of base.causes) lines.push(`${id.padEnd(28)} ${text}`);
  }
  write(`${lines.join('\n')}\n`);
}

export async function kbCheck(dir: string | undefined, options: { config?: string }): Promise<void> {
  // An extension directory is YAML validated here: the config schema and the KB schemas load now.
  const { loadConfig } = await import('../config/load-config.js');
  const { checkExtensions, formatIssue, loadKnowledgeBase } = await import('../fixes/load-kb.js');
  const target = dir ?? (await loadConfig(options.config)).kb.extensionsDir;
  if (target === undefined) {
    process.stderr.write('kb check: name a directory, or a --config whose kb.extensionsDir is set\n');
    process.exitCode = 2;
    return;
  }
  const issues = checkExtensions(target);
  if (issues.length > 0) {
    process.stderr.write(`${issues.map(formatIssue).join('\n')}\n${issues.length} problem(s) in ${target}\n`);
    process.exitCode = 1;
    return;
  }
  const base = loadKnowledgeBase({ extensionsDir: target });
  const codes = base.codes.filter((c) => c.origin === 'organisation').length;
  const fixes = base.fixes.filter((f) => f.origin === 'organisation').length;
  write(
    `${target}: valid (${codes} organisation codes, ${fixes} organisation fixes; ${base.codes.length} codes and ${base.fixes.length} fixes in all)\n`,
  );
}

async function knowledgeBase(configPath: string | undefined): Promise<KnowledgeBase> {
  if (configPath === undefined) return loadBuiltinKnowledgeBase();
  const { loadConfig } = await import('../config/load-config.js');
  const { extensionsDir } = (await loadConfig(configPath)).kb;
  if (extensionsDir === undefined) return loadBuiltinKnowledgeBase();
  const { loadKnowledgeBase } = await import('../fixes/load-kb.js');
  return loadKnowledgeBase({ extensionsDir });
}

function write(text: string): void {
  process.stdout.write(text);
}

function describeEntry(entry: CodeEntry): string {
  const value = entry.value ?? '—';
  const label = ROLE_LABELS[entry.kind];
  return `${value.padEnd(11)} ${label.padEnd(19)} ${(entry.name ?? '').padEnd(44)} ${entry.meaning}`;
}

function renderLookup(result: CodeLookup): string {
  const lines: string[] = [];
  const decimal = result.value === null ? '' : ` (decimal ${Number.parseInt(result.value.slice(2), 16)})`;
  lines.push(`${result.value ?? result.input}${decimal}, read as ${result.readAs}`);
  for (const entry of result.entries) {
    lines.push(
      '',
      `  ${ROLE_LABELS[entry.kind]}${entry.name ? `  ${entry.name}` : ''}   [source ${entry.source}, ${entry.confidence}]`,
    );
    lines.push(`    ${entry.meaning}`);
    lines.push(`    Likely causes: ${entry.causes.join(', ')}`);
  }
  for (const note of result.notes) lines.push(`  ${note}`);
  if (result.fixes.length > 0) lines.push('', 'Fixes, best first:');
  result.fixes.forEach((fix, index) => {
    lines.push(...renderFix(fix, index + 1));
  });
  return `${lines.join('\n')}\n`;
}

function renderFix(fix: RankedFix, position: number): string[] {
  const who = [fix.audience, fix.risk && `${fix.risk} risk`].filter(Boolean).join(', ');
  const lines = ['', `${position}. ${fix.title}${who ? `   [${who}]` : ''}   (${fix.id})`];
  if (fix.when) lines.push(`   when: ${fix.when}`);
  for (const reason of fix.reasons) lines.push(`   why: ${reason}`);
  for (const step of fix.steps) {
    lines.push(`   - ${step.text}`);
    if (step.snippet) {
      lines.push(`     ${step.snippet.lang}:`);
      for (const codeLine of step.snippet.code.split('\n')) lines.push(`       ${codeLine}`);
    }
    if (step.undo) {
      lines.push(`     undo: ${step.undo.text}`);
      if (step.undo.snippet)
        for (const codeLine of step.undo.snippet.code.split('\n')) lines.push(`       ${codeLine}`);
    }
  }
  return lines;
}
