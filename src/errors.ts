import { redact } from './redact/redact.js';

/**
 * The one family of unexpected failures. Expected network outcomes are `Finding`s, not errors.
 * Each error carries a stable `code` that the edge (CLI, chat adapters) maps to a sentence a
 * helpdesk agent can act on.
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'KB_INVALID',
  // The shipped data's compiled form is missing or older than its YAML (src/data/compiled-data.ts).
  'DATA_NOT_BUILT',
  'JUMP_HOST_KEY_MISMATCH',
  'JUMP_HOST_KEY_UNKNOWN',
  'JUMP_UNREACHABLE',
  'JUMP_AUTH_FAILED',
  'INPUT_INVALID',
  'STARTUP_INVALID',
  'STORE_UNAVAILABLE',
  'GROUP_LOOKUP_FAILED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class TriageError extends Error {
  override name = 'TriageError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isTriageError(error: unknown): error is TriageError {
  return error instanceof TriageError;
}

/** One sentence for a person, whatever was thrown. Never a stack trace. */
export function describeError(error: unknown): string {
  // Messages can quote user text or a config value: a pasted secret must not come back out here.
  if (isTriageError(error)) return redact(`${error.message} [${error.code}]`);
  if (error instanceof Error) return redact(`Unexpected error: ${error.message}`);
  return redact(`Unexpected error: ${String(error)}`);
}
