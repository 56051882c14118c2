import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Bolt, its receivers and the Socket Mode client log through our pino logger (its redaction and
 * level apply); web-api redacts tokens before it logs a request. Bolt's own level setting is
 * ignored: pino's level decides.
 */
export function toBoltLogger(log: Logger): BoltLogger {
  const join = (parts: unknown[]) => parts.map(String).join(' ');
  const quiet = () => {};
  return {
    debug: (...parts) => log.debug(join(parts)),
    info: (...parts) => log.info(join(parts)),
    warn: (...parts) => log.warn(join(parts)),
    error: (...parts) => log.error(join(parts)),
    setLevel: quiet,
    getLevel: () => LogLevel.INFO,
    setName: quiet,
  };
}
