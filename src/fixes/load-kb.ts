import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { TriageError } from '../errors.js';
import { assembleKnowledgeBase, type FileKind, type ParsedFile, type Sources } from './cross-check-kb.js';
import {
  casesFileSchema,
  causesFileSchema,
  codeFileSchema,
  fixesFileSchema,
  overridesFileSchema,
  rulesFileSchema,
} from './kb-schema.js';
import { readSnapshot, type SourceText } from './kb-snapshot.js';
import type { CompiledKnowledgeBase, KnowledgeBase } from './knowledge-base.js';
import { type KbIssue, parseKbFile } from './read-kb-file.js';

export type { KbIssue } from './read-kb-file.js';

const BUILTIN_DIR = fileURLToPath(new URL('./data/', import.meta.url));
const MAX_FILE_BYTES = 2_000_000;

/**
 * The shipped knowledge base, validated, in the plain form `npm run build` writes for the run
 * time (src/fixes/builtin-kb.ts reads it back).
 */
export function compileKnowledgeBase(): CompiledKnowledgeBase {
  const { codes, causes, fixes, rules, cases } = loadKnowledgeBase();
  return { codes: [...codes], causes: [...causes], fixes: [...fixes], rules, cases: [...cases] };
}

/**
 * Loads the shipped data plus, optionally, an organisation's extension directory. Any problem in
 * any file rejects the whole load (TriageError KB_INVALID listing every issue): never half-loaded.
 */
export function loadKnowledgeBase({ extensionsDir }: { extensionsDir?: string } = {}): KnowledgeBase {
  const { kb, issues } = buildKnowledgeBase(extensionsDir);
  if (kb === undefined || issues.length > 0) {
    const lines = issues.slice(0, 20).map(formatIssue);
    const more = issues.length > 20 ? `\n… and ${issues.length - 20} more` : '';
    throw new TriageError('KB_INVALID', `knowledge base is invalid:\n${lines.join('\n')}${more}`);
  }
  return kb;
}

/** Validates an extension directory against the shipped data; returns every issue found (empty = valid). */
export function checkExtensions(dir: string): KbIssue[] {
  return buildKnowledgeBase(dir).issues;
}

export function formatIssue(issue: KbIssue): string {
  return `${issue.file}:${issue.line}: ${issue.key ? `${issue.key}: ` : ''}${issue.message}`;
}

function buildKnowledgeBase(extensionsDir: string | undefined): { kb?: KnowledgeBase; issues: KbIssue[] } {
  const issues: KbIssue[] = [];
  const shippedFiles = readTexts(listFiles(BUILTIN_DIR, true, issues), issues);
  const snapshot = readSnapshot(shippedFiles.map(({ relative, text }) => ({ relative, text })));
  const shipped = readSources(shippedFiles, issues, true, snapshot);
  const extra =
    extensionsDir === undefined
      ? emptySources()
      : readSources(readTexts(listExtensionFiles(extensionsDir, issues), issues), issues, false);
  if (issues.length > 0) return { issues };
  const kb = assembleKnowledgeBase(shipped, extra, issues, BUILTIN_DIR);
  return kb === undefined || issues.length > 0 ? { issues } : { kb, issues };
}

function emptySources(): Sources {
  return { codes: [], fixes: [], causes: [], rules: [], overrides: [], cases: [] };
}

interface ListedFile {
  path: string;
  kind: FileKind;
  relative: string;
}

function listFiles(dir: string, builtinData: boolean, issues: KbIssue[]): ListedFile[] {
  const files: ListedFile[] = [];
  const walk = (current: string, depth: number) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) {
        if (depth < 1) walk(path, depth + 1);
        continue;
      }
      if (!/\.ya?ml$/i.test(name)) continue;
      const kind = classify(relative(dir, path), builtinData);
      if (kind === undefined) {
        issues.push({
          file: path,
          line: 1,
          key: '',
          message:
            'unknown file: name it codes*.yaml or put it under codes/, fixes*.yaml or under fixes/, causes.yaml, cases.yaml or overrides.yaml',
        });
      } else files.push({ path, kind, relative: relative(dir, path).split(/[\\/]/).join('/') });
    }
  };
  walk(dir, 0);
  return files;
}

function listExtensionFiles(dir: string, issues: KbIssue[]): ListedFile[] {
  try {
    if (!statSync(dir).isDirectory()) {
      issues.push({ file: dir, line: 1, key: '', message: 'not a directory' });
      return [];
    }
  } catch {
    issues.push({ file: dir, line: 1, key: '', message: 'directory not found' });
    return [];
  }
  return listFiles(dir, false, issues);
}

function classify(relativePath: string, builtinData: boolean): FileKind | undefined {
  const parts = relativePath.split(/[\\/]/);
  const name = basename(relativePath).toLowerCase();
  if (parts[0] === 'codes' || (parts.length === 1 && name.startsWith('codes'))) return 'codes';
  if (parts[0] === 'fixes' || (parts.length === 1 && name.startsWith('fixes'))) return 'fixes';
  if (parts.length > 1) return undefined;
  if (/^causes\.ya?ml$/.test(name)) return 'causes';
  if (/^overrides\.ya?ml$/.test(name)) return 'overrides';
  if (/^cases\.ya?ml$/.test(name)) return 'cases';
  if (builtinData && /^rules\.ya?ml$/.test(name)) return 'rules';
  return undefined;
}

function readSources(
  files: (ListedFile & { text: string })[],
  issues: KbIssue[],
  builtinData: boolean,
  snapshot?: Map<string, unknown>,
): Sources {
  const sources = emptySources();
  for (const { path, kind, relative: name, text } of files) {
    const parsed = parseKbFile(path, text, issues, snapshot?.get(name));
    if (parsed === undefined) continue;
    const file: ParsedFile = { ...parsed, kind };
    const origin = builtinData ? 'builtin' : 'organisation';
    switch (kind) {
      case 'codes': {
        const data = validate(file, codeFileSchema, issues);
        if (data) sources.codes.push({ file, data });
        break;
      }
      case 'fixes': {
        const data = validate(file, fixesFileSchema, issues);
        if (data) sources.fixes.push({ file, data: data.map((fix) => ({ ...fix, origin })) });
        break;
      }
      case 'causes': {
        const data = validate(file, causesFileSchema, issues);
        if (data) sources.causes.push({ file, data });
        break;
      }
      case 'rules': {
        const data = validate(file, rulesFileSchema, issues);
        if (data) sources.rules.push({ file, data });
        break;
      }
      case 'overrides': {
        const data = validate(file, overridesFileSchema, issues);
        if (data) sources.overrides.push({ file, data });
        break;
      }
      case 'cases': {
        const data = validate(file, casesFileSchema, issues);
        if (data) sources.cases.push({ file, data });
        break;
      }
    }
  }
  return sources;
}

/** Reads every listed file (size-capped); unreadable files become issues. */
export function readTexts(files: ListedFile[], issues: KbIssue[]): (ListedFile & { text: string })[] {
  const out: (ListedFile & { text: string })[] = [];
  for (const file of files) {
    try {
      if (statSync(file.path).size > MAX_FILE_BYTES) {
        issues.push({
          file: file.path,
          line: 1,
          key: '',
          message: `file larger than ${MAX_FILE_BYTES} bytes`,
        });
        continue;
      }
      out.push({ ...file, text: readFileSync(file.path, 'utf8') });
    } catch (error) {
      issues.push({ file: file.path, line: 1, key: '', message: `cannot read: ${(error as Error).message}` });
    }
  }
  return out;
}

/** The shipped data files with their text, for the snapshot script. */
export function readShippedSources(): { sources: SourceText[]; data: Map<string, unknown> } {
  const issues: KbIssue[] = [];
  const files = readTexts(listFiles(BUILTIN_DIR, true, issues), issues);
  const data = new Map<string, unknown>();
  for (const file of files) {
    const parsed = parseKbFile(file.path, file.text, issues);
    if (parsed) data.set(file.relative, parsed.data);
  }
  if (issues.length > 0) throw new TriageError('KB_INVALID', issues.map(formatIssue).join('\n'));
  return { sources: files.map(({ relative, text }) => ({ relative, text })), data };
}

function validate<T extends z.ZodType>(
  file: ParsedFile,
  schema: T,
  issues: KbIssue[],
): z.infer<T> | undefined {
  const result = schema.safeParse(file.data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    issues.push({
      file: file.path,
      line: file.locate(issue.path),
      key: issue.path.map(String).join('.'),
      message: issue.message,
    });
  }
  return undefined;
}
