import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { SqliteDatabase } from '../store/sqlite.js';

/**
 * The SQLite store a read command (`audit`, `incidents`) reads: `--db`, else `store.path` of the
 * config. Loaded on demand (the commands' definitions import nothing heavy). Throws with the
 * command's own words when no store is configured, or none was written yet.
 */
export async function openStoreFile(
  options: { config?: string; db?: string },
  say: { unset: string; absent: (path: string) => string },
): Promise<{ db: SqliteDatabase; config: Config }> {
  const { loadConfig } = await import('../config/load-config.js');
  const { TriageError } = await import('../errors.js');
  const { openDatabase } = await import('../store/sqlite.js');
  const config = await loadConfig(options.config);
  const path = options.db ?? config.store.path;
  if (!path) throw new TriageError('CONFIG_INVALID', say.unset);
  if (!existsSync(path)) throw new TriageError('STORE_UNAVAILABLE', say.absent(path));
  return { db: openDatabase(path), config };
}
