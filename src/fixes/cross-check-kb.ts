import type { CaseData, CodeFile, Overrides, Rules } from './kb-schema.js';
import { type CodeEntry, type Fix, indexKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import type { KbFile, KbIssue } from './read-kb-file.js';
import { findStepHazards } from './step-safety.js';

export type FileKind = 'codes' | 'fixes' | 'causes' | 'rules' | 'overrides' | 'cases';

export interface ParsedFile extends KbFile {
  kind: FileKind;
}

export interface Sources {
  codes: { file: ParsedFile; data: CodeFile }[];
  fixes: { file: ParsedFile; data: Fix[] }[];
  causes: { file: ParsedFile; data: Record<string, string> }[];
  rules: { file: ParsedFile; data: Rules }[];
  overrides: { file: ParsedFile; data: Overrides }[];
  cases: { file: ParsedFile; data: CaseData[] }[];
}

/**
 * Joins the shipped and the organisation's files into one knowledge base, checking every
 * cross-reference (causes, fix ids, overrides, duplicates). Any issue: undefined, never half.
 */
export function assembleKnowledgeBase(
  shipped: Sources,
  extra: Sources,
  issues: KbIssue[],
  builtinDir: string,
): KnowledgeBase | undefined {
  const rules = shipped.rules[0]?.data;
  if (rules === undefined) {
    issues.push({ file: builtinDir, line: 1, key: '', message: 'rules.yaml missing' });
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
      // A snippet we hand a user must say what it changes and how to undo it (step-safety.ts).
      for (const hazard of findStepHazards(fix))
        issues.push({
          file: file.path,
          line: file.locate(hazard.step === 'verify' ? [index, 'verify'] : [index, 'steps', hazard.step]),
          key: hazard.step === 'verify' ? `${index}.verify` : `${index}.steps.${hazard.step}`,
          message: `${hazard.rule}: ${hazard.message}`,
        });
      for (const cue of fix.onlyWith ?? []) {
        if (!(cue in rules.cues))
          issues.push({
            file: file.path,
            line: file.locate([index, 'onlyWith']),
            key: `${index}.onlyWith`,
            message: `unknown cue "${cue}" (rules.yaml cues:)`,
          });
      }
      fixes.push(fix);
    });
  }
  checkRuleReferences(shipped.rules[0], causes, fixIds, issues);
  const applied = applyOverrides(extra.overrides, codes, fixes, causes, issues);
  const cases = checkCases([...shipped.cases, ...extra.cases], fixIds, issues).filter((entry) =>
    applied.fixes.some((fix) => fix.id === entry.fix),
  );
  if (issues.length > 0) return undefined;
  return indexKnowledgeBase({ codes: applied.codes, causes, fixes: applied.fixes, rules, cases });
}

/** Every case names fixes the catalogue defines; an override that disables a fix drops its cases (above). */
function checkCases(
  sources: { file: ParsedFile; data: CaseData[] }[],
  fixIds: Set<string>,
  issues: KbIssue[],
): CaseData[] {
  const cases: CaseData[] = [];
  for (const { file, data } of sources) {
    data.forEach((entry, index) => {
      const unknown = [entry.fix, ...entry.also].filter((id) => !fixIds.has(id));
      if (unknown.length > 0)
        issues.push({
          file: file.path,
          line: file.locate([index, 'fix']),
          key: `${index}.fix`,
          message: `unknown fix "${unknown.join('", "')}"`,
        });
      else cases.push(entry);
    });
  }
  return cases;
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
  for (const [cue, rule] of Object.entries(data.cues)) check(['cues', cue], rule);
  data.codePairs.forEach((rule, index) => {
    check(['codePairs', index], rule);
  });
  const symptomIds = new Set(data.symptoms.map((rule) => rule.id));
  data.cueCombinations.forEach((rule, index) => {
    check(['cueCombinations', index], rule);
    for (const cue of [...rule.cues, ...rule.withCues])
      if (!(cue in data.cues))
        issues.push({
          file: file.path,
          line: file.locate(['cueCombinations', index]),
          key: `cueCombinations.${index}`,
          message: `unknown cue "${cue}"`,
        });
    for (const symptom of rule.symptoms)
      if (!symptomIds.has(symptom))
        issues.push({
          file: file.path,
          line: file.locate(['cueCombinations', index]),
          key: `cueCombinations.${index}`,
          message: `unknown symptom rule "${symptom}"`,
        });
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
