import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { TriageError } from '../errors.js';
import { redact } from '../redact/redact.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { applyEnvOverrides, type EnvOverride } from './env-overrides.js';
import { type Config, configSchema, defaultConfig } from './schema.js';
import { defaultStorePath, settleStorePath } from './store-path.js';

/**
 * Reads and validates a YAML config file. Errors name the file, the key path, the line and the
 * problem; the bot refuses to start on any of them. `env` supplies `RDP_TRIAGE__…` overrides and
 * the home of the audit log when `store.path` is unset (XDG_DATA_HOME or HOME; `none`: no log).
 */
export async function loadConfig(
  path: string | undefined,
  { env = process.env }: { env?: NodeJS.ProcessEnv } = {},
): Promise<Config> {
  if (path === undefined) return settleStorePath(defaultConfig(), defaultStorePath(env));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TriageError('CONFIG_NOT_FOUND', `Cannot read config file ${path} (${reason})`, {
      cause: error,
    });
  }
  return parseConfig(text, path, { env, storeFallback: defaultStorePath(env) });
}

/** `storeFallback`: the audit log's path when the config sets no `store.path` (none: no log). */
export function parseConfig(
  text: string,
  fileName: string,
  { env = {}, storeFallback }: { env?: NodeJS.ProcessEnv; storeFallback?: string | undefined } = {},
): Config {
  const lineCounter = new LineCounter();
  // prettyErrors off: its context snippet would quote the offending line, which may hold a secret.
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.slice(0, 5).map((error) => ({
        file: fileName,
        path: '(yaml)',
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML syntax error: ${redact(firstLine(error.message))}`,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([
      { file: fileName, path: '(root)', line: 1, message: 'the file must be a YAML mapping (key: value)' },
    ]);
  }
  const overrides = applyEnvOverrides(raw as Record<string, unknown>, env);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) =>
        toConfigIssue(issue, fileName, overrides, (p) => lineOf(doc, lineCounter, p)),
      ),
    );
  }
  return settleStorePath(result.data, storeFallback);
}

function toConfigIssue(
  issue: z.core.$ZodIssue,
  file: string,
  overrides: EnvOverride[],
  locate: (path: PropertyKey[]) => number | undefined,
): ConfigIssue {
  const path = issue.path;
  const override = overrides.find(
    (o) => o.path.length <= path.length && o.path.every((segment, i) => String(segment) === String(path[i])),
  );
  const line = override ? undefined : locate(path);
  return {
    file,
    path: formatPath(path),
    ...(line !== undefined && { line }),
    ...(override && { env: override.env }),
    message: redact(issue.message),
  };
}

/** Line of the deepest node on `path` that exists in the document (a missing key → its parent). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: PropertyKey[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

export function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
