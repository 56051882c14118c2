import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { TriageError } from '../errors.js';
import {
  type CodeFile,
  causesFileSchema,
  codeFileSchema,
  fixesFileSchema,
  type Overrides,
  overridesFileSchema,
  type Rules,
  rulesFileSchema,
} from './kb-schema.js';
import { readSnapshot, type SourceText } from './kb-snapshot.js';
import { type CodeEntry, type Fix, indexKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import { type KbFile, type KbIssue, parseKbFile } from './read-kb-file.js';

export type { KbIssue } from './read-kb-file.js';

const BUILTIN_DIR = fileURLToPath(new URL('./data/', import.meta.url));
const MAX_FILE_BYTES = 2_000_000;

type FileKind = 'codes' | 'fixes' | 'causes' | 'rules' | 'overrides';

interface ParsedFile extends KbFile {
  kind: FileKind;
}

interface Sources {
  codes: { file: ParsedFile; data: CodeFile }[];
  fixes: { file: ParsedFile; data: Fix[] }[];
  causes: { file: ParsedFile; data: Record<string, string> }[];
  rules: { file: ParsedFile; data: Rules }[];
  overrides: { file: ParsedFile; data: Overrides }[];
}

let builtin: KnowledgeBase | undefined;

/** The shipped knowledge base, parsed and validated once per process. */
export function loadBuiltinKnowledgeBase(): KnowledgeBase {
  builtin ??= loadKnowledgeBase();
  return builtin;
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
  const kb = assemble(shipped, extra, issues);
  return kb === undefined || issues.length > 0 ? { issues } : { kb, issues };
}

function emptySources(): Sources {
  return { codes: [], fixes: [], causes: [], rules: [], overrides: [] };
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
            'unknown file: name it codes*.yaml or put it under codes/, fixes*.yaml or under fixes/, causes.yaml or overrides.yaml',
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

function assemble(shipped: Sources, extra: Sources, issues: KbIssue[]): KnowledgeBase | undefined {
  const rules = shipped.rules[0]?.data;
  if (rules === undefined) {
    issues.push({ file: BUILTIN_DIR, line: 1, key: '', message: 'rules.yaml missing' });
    return undefined;
  }
  const causes = new Map<string, string>();
  for (const { file, data } of [...shipped.causes, ...extra.causes]) {
    for (const [id, text] of Object.entries(data)) {
      if (causes.has(id))
        issues.push({ file: file.path, line: file.locate([id]), key: id, message: 'cause already defined' });
      else causes.set(id, text);
    }
  }
  const codes: CodeEntry[] = [];
  const codeKeys = new Set<string>();
  for (const { file, data } of [...shipped.codes, ...extra.codes]) {
    const origin = shipped.codes.some((s) => s.file === file) ? 'builtin' : 'organisation';
    data.codes.forEach((entry, index) => {
      // One entry per role and value; AVD codes share generic HRESULT values and are told apart by name.
      const key =
        entry.value !== undefined && data.role !== 'avd'
          ? `${data.role}:${entry.value}`
          : `${data.role}:${entry.value ?? ''}:${entry.name?.toLowerCase() ?? ''}`;
      if (codeKeys.has(key)) {
        issues.push({
          file: file.path,
          line: file.locate(['codes', index]),
          key: `codes.${index}`,
          message: `code ${entry.value ?? entry.name} (${data.role}) already defined; change a shipped code in overrides.yaml`,
        });
        return;
      }
      codeKeys.add(key);
      entry.causes.forEach((cause, causeIndex) => {
        if (!causes.has(cause))
          issues.push({
            file: file.path,
            line: file.locate(['codes', index, 'causes', causeIndex]),
            key: `codes.${index}.causes.${causeIndex}`,
            message: `unknown cause "${cause}"`,
          });
      });
      codes.push({
        ...(entry.value !== undefined && { value: entry.value }),
        ...(entry.name !== undefined && { name: entry.name }),
        kind: data.role,
        aliases: entry.aliases,
        meaning: entry.meaning,
        causes: entry.causes,
        weight: entry.weight,
        source: entry.source ?? data.source,
        confidence: entry.confidence ?? data.confidence,
        origin,
      });
    });
  }
  const fixes: Fix[] = [];
  const fixIds = new Set<string>();
  for (const { file, data } of [...shipped.fixes, ...extra.fixes]) {
    data.forEach((fix, index) => {
      if (fixIds.has(fix.id)) {
        issues.push({
          file: file.path,
          line: file.locate([index, 'id']),
          key: `${index}.id`,
          message: `fix "${fix.id}" already defined; change a shipped fix in overrides.yaml`,
        });
        return;
      }
      fixIds.add(fix.id);
      for (const cause of Object.keys(fix.causes)) {
        if (!causes.has(cause))
          issues.push({
            file: file.path,
            line: file.locate([index, 'causes', cause]),
            key: `${index}.causes.${cause}`,
            message: `unknown cause "${cause}"`,
          });
      }
      fixes.push(fix);
    });
  }
  checkRuleReferences(shipped.rules[0], causes, fixIds, issues);
  const applied = applyOverrides(extra.overrides, codes, fixes, causes, issues);
  if (issues.length > 0) return undefined;
  return indexKnowledgeBase({ codes: applied.codes, causes, fixes: applied.fixes, rules });
}

function checkRuleReferences(
  source: { file: ParsedFile; data: Rules } | undefined,
  causes: Map<string, string>,
  fixIds: Set<string>,
  issues: KbIssue[],
): void {
  if (source === undefined) return;
  const { file, data } = source;
  const check = (
    path: PropertyKey[],
    rule: { causes: Record<string, number>; fixes: Record<string, number> },
  ) => {
    for (const cause of Object.keys(rule.causes))
      if (!causes.has(cause))
        issues.push({
          file: file.path,
          line: file.locate([...path, 'causes', cause]),
          key: [...path, 'causes', cause].join('.'),
          message: `unknown cause "${cause}"`,
        });
    for (const fix of Object.keys(rule.fixes))
      if (!fixIds.has(fix))
        issues.push({
          file: file.path,
          line: file.locate([...path, 'fixes', fix]),
          key: [...path, 'fixes', fix].join('.'),
          message: `unknown fix "${fix}"`,
        });
  };
  for (const [code, rule] of Object.entries(data.evidence)) check(['evidence', code], rule);
  check(['healthy'], data.healthy);
  data.combinations.forEach((rule, index) => {
    check(['combinations', index], rule);
  });
  data.symptoms.forEach((rule, index) => {
    check(['symptoms', index], rule);
    try {
      new RegExp(rule.match, 'i');
    } catch {
      issues.push({
        file: file.path,
        line: file.locate(['symptoms', index, 'match']),
        key: `symptoms.${index}.match`,
        message: 'not a valid regular expression',
      });
    }
  });
}

function applyOverrides(
  overrides: { file: ParsedFile; data: Overrides }[],
  codes: CodeEntry[],
  fixes: Fix[],
  causes: Map<string, string>,
  issues: KbIssue[],
): { codes: CodeEntry[]; fixes: Fix[] } {
  let resultCodes = codes;
  let resultFixes = fixes;
  for (const { file, data } of overrides) {
    data.codes.forEach((override, index) => {
      const at = resultCodes.findIndex((c) => c.value === override.value && c.kind === override.role);
      const key = `codes.${index}`;
      if (at < 0) {
        issues.push({
          file: file.path,
          line: file.locate(['codes', index, 'value']),
          key: `${key}.value`,
          message: `no ${override.role} code ${override.value} to override`,
        });
        return;
      }
      for (const cause of override.causes ?? [])
        if (!causes.has(cause))
          issues.push({
            file: file.path,
            line: file.locate(['codes', index, 'causes']),
            key: `${key}.causes`,
            message: `unknown cause "${cause}"`,
          });
      resultCodes = resultCodes.map((entry, i) =>
        i === at
          ? {
              ...entry,
              ...(override.meaning && { meaning: override.meaning }),
              ...(override.causes && { causes: override.causes }),
              origin: 'organisation',
            }
          : entry,
      );
    });
    data.fixes.forEach((override, index) => {
      const key = `fixes.${index}`;
      if (!resultFixes.some((fix) => fix.id === override.id)) {
        issues.push({
          file: file.path,
          line: file.locate(['fixes', index, 'id']),
          key: `${key}.id`,
          message: `no fix "${override.id}" to override`,
        });
        return;
      }
      for (const cause of Object.keys(override.causes ?? {}))
        if (!causes.has(cause))
          issues.push({
            file: file.path,
            line: file.locate(['fixes', index, 'causes', cause]),
            key: `${key}.causes.${cause}`,
            message: `unknown cause "${cause}"`,
          });
      if (override.disabled) {
        resultFixes = resultFixes.filter((fix) => fix.id !== override.id);
        return;
      }
      resultFixes = resultFixes.map((fix) =>
        fix.id === override.id
          ? {
              ...fix,
              ...(override.title && { title: override.title }),
              ...(override.risk && { risk: override.risk }),
              ...(override.causes && { causes: override.causes }),
              origin: 'organisation',
            }
          : fix,
      );
    });
  }
  return { codes: resultCodes, fixes: resultFixes };
}
