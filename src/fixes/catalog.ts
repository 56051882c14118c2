import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { TriageError } from '../errors.js';
import { SNIPPET_LANGS } from './ranked-fix.js';

const fixSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  codes: z.array(z.string().regex(/^0x[0-9a-f]+$/)).default([]),
  steps: z
    .array(
      z.object({
        text: z.string().min(1),
        snippet: z.object({ lang: z.enum(SNIPPET_LANGS), code: z.string().min(1) }).optional(),
      }),
    )
    .min(1),
});
export type FixEntry = z.infer<typeof fixSchema>;

const DATA_URL = new URL('./data/fixes.yaml', import.meta.url);

let cached: FixEntry[] | undefined;

/** The fix catalogue, parsed and validated once. */
export function loadFixCatalog(): FixEntry[] {
  if (cached) return cached;
  const result = z.array(fixSchema).safeParse(parse(readFileSync(DATA_URL, 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TriageError('KB_INVALID', `fixes.yaml: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  cached = result.data;
  return cached;
}
