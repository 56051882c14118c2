import { isAbsolute, join } from 'node:path';
import type { Config } from './schema.js';

/** `store.path: none`: no audit log, feedback votes in memory. */
export const STORE_OFF = 'none';

/**
 * Where the audit log lives when the config names no `store.path`: `$XDG_DATA_HOME/rdp-triage/`
 * (XDG Base Directory: only an absolute XDG_DATA_HOME counts), else `~/.local/share/rdp-triage/`.
 * Undefined when the environment names no home at all (then nothing is kept).
 */
export function defaultStorePath(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'rdp-triage', 'store.sqlite');
  const home = env.HOME;
  if (home && isAbsolute(home)) return join(home, '.local', 'share', 'rdp-triage', 'store.sqlite');
  return undefined;
}

/** The config with its store settled: `none` → no path; unset → `fallback` (when there is one). */
export function settleStorePath(config: Config, fallback: string | undefined): Config {
  const { path, ...rest } = config.store;
  if (path === STORE_OFF) return { ...config, store: rest };
  if (path !== undefined || fallback === undefined) return config;
  return { ...config, store: { ...rest, path: fallback } };
}
