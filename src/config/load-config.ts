import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { TriageError } from '../errors.js';
import { type Config, configSchema, defaultConfig } from './schema.js';

/** Reads and validates a YAML config file; errors name the file, the key path and the problem. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (path === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TriageError('CONFIG_NOT_FOUND', `Cannot read config file ${path}`, { cause: error });
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, fileName: string): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new TriageError('CONFIG_INVALID', `${fileName}: YAML syntax error: ${first?.message ?? 'unknown'}`);
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new TriageError('CONFIG_INVALID', `${fileName}: ${formatIssues(result.error.issues)}`);
  }
  return result.data;
}

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
