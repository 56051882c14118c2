import type { Logger } from 'pino';
import { type ChatCore, type CoreOption, coreFrom } from '../conversation/chat-core.js';
import { createWatch, type Watch, type WatchDeps } from '../watch/watched-channel.js';
import type { ApiErrorListener } from './api-errors.js';

/** What serve (or a test) gives every chat adapter besides the platform's own settings. */
export type SurfaceOptions = CoreOption & {
  logger: Logger;
  /** Watched triage channels answered unasked (src/bot/watch). */
  watch?: Omit<WatchDeps, 'core' | 'log'>;
  /** Told of every platform API call that failed (metrics). */
  onApiError?: ApiErrorListener;
};

/**
 * What every adapter starts from: its logger (labelled with the platform), the conversation core
 * (serve's shared one, or one built for this surface alone) and the watch over its channels.
 */
export function surfaceCore(
  options: SurfaceOptions,
  platform: string,
): { log: Logger; core: ChatCore; watch?: Watch } {
  const log = options.logger.child({ platform });
  const core = coreFrom(options, log);
  const watch = options.watch && createWatch({ ...options.watch, core, log: log.child({ watch: true }) });
  return { log, core, ...(watch && { watch }) };
}
