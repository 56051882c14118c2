import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import type { Bot } from './assemble.js';
import { type MonitorChange, runMonitorPass } from './monitor.js';

export interface MonitorSchedule {
  /** One pass now (the timer calls it; tests call it to not wait for the interval). */
  runPass(): Promise<MonitorChange[]>;
  stop(): void;
}

/** Open incidents are re-probed this often even with no monitor configured. */
const DEFAULT_INTERVAL_S = 300;
/** A pass never runs longer than this; the next one starts from a clean state. */
const PASS_DEADLINE_MS = 4 * 60_000;

/**
 * Serve's in-process schedule of monitor passes (src/app/monitor.ts): every monitor and every open
 * incident is probed at the shortest configured interval. What changes (an incident opened or
 * resolved) reaches the helpdesk and the reporters through the tracker's change relay
 * (src/app/incident-notifier.ts). One pass at a time; a failed pass is logged.
 */
export function startMonitorSchedule({
  bot,
  config,
  logger,
}: {
  bot: Bot;
  config: Config;
  logger: Logger;
}): MonitorSchedule {
  const log = logger.child({ component: 'monitors' });
  const intervalS = Math.min(
    DEFAULT_INTERVAL_S,
    ...config.monitors.map((monitor) => monitor.intervalSeconds),
  );
  let running: Promise<MonitorChange[]> | undefined;
  const runPass = () => {
    running ??= runMonitorPass(bot, config, deadlineSignal(PASS_DEADLINE_MS)).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer =
    config.incidents.enabled &&
    setInterval(() => {
      runPass().catch((error: unknown) => log.error({ err: error }, 'monitor pass failed'));
    }, intervalS * 1000);
  // The schedule never keeps the process alive on its own.
  if (timer) timer.unref();
  return {
    runPass,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
