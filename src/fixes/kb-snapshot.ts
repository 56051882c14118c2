import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shipped YAML, parsed ahead of time (`npm run kb:snapshot`): a cold process parses 160 KB of
 * YAML in seconds on a busy machine, JSON in milliseconds. Used only while its fingerprint matches
 * the YAML files byte for byte, so a stale snapshot is ignored (and test/fixes fails), never used.
 */
export const SNAPSHOT_PATH = fileURLToPath(new URL('./data/snapshot.jsonl', import.meta.url));

export interface SourceText {
  /** Path relative to src/fixes/data, with forward slashes. */
  relative: string;
  text: string;
}

export function fingerprint(sources: readonly SourceText[]): string {
  const hash = createHash('sha256');
  for (const { relative, text } of [...sources].sort((a, b) => (a.relative < b.relative ? -1 : 1))) {
    hash.update(`${relative}\0${text.length}\0${text}\0`);
  }
  return hash.digest('hex');
}

/** The snapshot's data per file when it matches these sources, else undefined. */
export function readSnapshot(
  sources: readonly SourceText[],
  path = SNAPSHOT_PATH,
): Map<string, unknown> | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch {
    return undefined;
  }
  try {
    const head = JSON.parse(lines[0] ?? '{}') as { fingerprint?: unknown };
    if (head.fingerprint !== fingerprint(sources)) return undefined;
    const data = new Map<string, unknown>();
    for (const line of lines.slice(1)) {
      const entry = JSON.parse(line) as { file: string; data: unknown };
      data.set(entry.file, entry.data);
    }
    return sources.every((source) => data.has(source.relative)) ? data : undefined;
  } catch {
    return undefined;
  }
}

export function writeSnapshot(
  sources: readonly SourceText[],
  data: Map<string, unknown>,
  path = SNAPSHOT_PATH,
): void {
  const lines = [JSON.stringify({ fingerprint: fingerprint(sources) })];
  for (const { relative } of [...sources].sort((a, b) => (a.relative < b.relative ? -1 : 1))) {
    lines.push(JSON.stringify({ file: relative, data: data.get(relative) }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
