import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { TriageError } from '../errors.js';

/** data/windows-releases.yaml, validated at build time (scripts/compile-data.ts). */
const releasesSchema = z.array(
  z.object({ version: z.string().regex(/^\d{1,2}\.\d{1,2}\.\d{1,5}$/), name: z.string().min(3) }).strict(),
);

export type WindowsReleases = z.output<typeof releasesSchema>;

export function parseWindowsReleases(dir: URL): WindowsReleases {
  const result = releasesSchema.safeParse(parse(readFileSync(new URL('windows-releases.yaml', dir), 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TriageError('KB_INVALID', `windows-releases.yaml: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}
