import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TriageError } from '../errors.js';

/**
 * The shipped data (phrase lists, the knowledge base) as `npm run build` compiled it: parsed from
 * YAML and validated once, at build time (scripts/compile-data.ts), then read here as plain JSON.
 * The run-time path therefore loads neither the YAML parser nor the schema library, which were
 * most of a scripted `classify`'s start-up.
 *
 * `dir` is a data folder (`new URL('./data/', import.meta.url)`); its compiled form is
 * `compiled.json` inside it. A YAML file there that is newer than the compiled form is an error
 * that says what to run, never a silent answer from old data.
 */
export function readCompiledData<T>(dir: URL): T {
  const folder = fileURLToPath(dir);
  const compiled = join(folder, COMPILED_FILE);
  let builtAt: number;
  try {
    builtAt = statSync(compiled).mtimeMs;
  } catch {
    throw new TriageError('DATA_NOT_BUILT', `${compiled} is missing: run \`npm run build\` (npm ci runs it)`);
  }
  const changed = newestSource(folder);
  if (changed !== undefined && changed.mtimeMs > builtAt)
    throw new TriageError(
      'DATA_NOT_BUILT',
      `${changed.path} changed after the data was compiled: run \`npm run build\` (or \`npm run build:data\`)`,
    );
  return JSON.parse(readFileSync(compiled, 'utf8')) as T;
}

/** Name of the compiled form inside a data folder (git-ignored; built by scripts/compile-data.ts). */
export const COMPILED_FILE = 'compiled.json';

/** The most recently changed YAML file of a data folder and its sub-folders (one level). */
function newestSource(folder: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    const candidates = entry.isDirectory() ? readdirSync(path).map((name) => join(path, name)) : [path];
    for (const candidate of candidates) {
      if (!/\.ya?ml$/i.test(candidate)) continue;
      const { mtimeMs } = statSync(candidate);
      if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { path: candidate, mtimeMs };
    }
  }
  return newest;
}
