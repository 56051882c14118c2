import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { TriageError } from '../errors.js';

/**
 * One shipped YAML data file, parsed and validated (build time: scripts/compile-data.ts, and the
 * tests). The first problem is a KB_INVALID error naming the file and the key.
 */
export function readYamlFile<S extends z.ZodType>(dir: URL, file: string, schema: S): z.output<S> {
  const result = schema.safeParse(parse(readFileSync(new URL(file, dir), 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TriageError('KB_INVALID', `${file}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}
