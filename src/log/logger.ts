import { type DestinationStream, type Logger, pino } from 'pino';
import { REDACTED, redact } from '../redact/redact.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys whose values are secrets wherever they sit in a log object (pino `redact` paths: one
 * level of wildcard each, pino compiles them once — fast-redact). Free text is a second line of
 * defence: every string the bot logs goes through `redact()` (src/redact/redact.ts), which finds
 * pasted passwords and tokens inside sentences.
 */
const SECRET_KEYS = [
  'password',
  'passphrase',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'appPassword',
  'privateKey',
  'authorization',
  'cookie',
  'secret',
];
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'headers.authorization',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default stdout). Tests pass a stream they read back. */
  destination?: DestinationStream;
  /** Fixed fields on every line (e.g. `{ replica: hostname }`). */
  base?: Record<string, unknown>;
}

/**
 * The one logger of a process: JSON lines (pino), secrets redacted by key and in free text.
 * Everything else gets it injected and derives children (`triageLogger`).
 */
export function createLogger({ level = 'info', destination, base = {} }: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, ...base },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Free-text fields (the user's message, error messages) can carry pasted secrets.
        log: (object) => redactStrings(object, 2),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? redact(arg) : arg)) as Parameters<typeof method>,
          );
        },
      },
      serializers: { err: serializeError, error: serializeError },
    },
    destination,
  );
}

/** A logger that drops everything (tests, library use). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The child every triage logs through: its lines carry `{ triageId, platform }`. */
export function triageLogger(logger: Logger, context: { triageId: string; platform: string }): Logger {
  return logger.child(context);
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function redactStrings(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string') out[key] = redact(value);
    else if (depth > 0 && isPlainObject(value))
      out[key] = redactStrings(value as Record<string, unknown>, depth - 1);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Errors as `{ type, code, message, cause }`, redacted; no stack: operators read these lines. */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redact(error) : error;
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    ...(typeof code === 'string' && { code }),
    message: redact(error.message),
    ...(error.cause instanceof Error && { cause: redact(error.cause.message) }),
  };
}
