import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import type { Incident } from '../report/incident.js';
import type { Bot } from './assemble.js';
import { type MonitorChange, runMonitorPass } from './monitor.js';

/** Where serve can say something to a reporter: in the thread (or channel) they reported in. */
export type TellReporter = (
  platform: string,
  where: { channel: string; thread?: string },
  text: string,
) => Promise<boolean>;

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
 * incident is probed at the shortest configured interval; when an incident resolves, each of its
 * reporters is told once, where they reported. One pass at a time; a failed pass is logged.
 */
export function startMonitorSchedule({
  bot,
  config,
  tell,
  logger,
}: {
  bot: Bot;
  config: Config;
  tell: TellReporter;
  logger: Logger;
}): MonitorSchedule {
  const log = logger.child({ component: 'monitors' });
  const intervalS = Math.min(
    DEFAULT_INTERVAL_S,
    ...config.monitors.map((monitor) => monitor.intervalSeconds),
  );
  let running: Promise<MonitorChange[]> | undefined;
  const runPass = () => {
    running ??= (async () => {
      const changes = await runMonitorPass(bot, config, deadlineSignal(PASS_DEADLINE_MS));
      for (const { change, incident } of changes)
        if (change === 'resolved' && incident) await tellResolved(bot, incident, tell, log);
      return changes;
    })().finally(() => {
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

async function tellResolved(bot: Bot, incident: Incident, tell: TellReporter, log: Logger): Promise<void> {
  const text = `${incident.id} is resolved: ${incident.target} no longer shows ${incident.cause} (two clean probes in a row). Try connecting again.`;
  for (const reporter of bot.incidents.reportersOf(incident.id)) {
    if (reporter.platform === 'monitor') continue;
    const where = { channel: reporter.channel, ...(reporter.thread && { thread: reporter.thread }) };
    const told = await tell(reporter.platform, where, text).catch((error: unknown) => {
      log.warn(
        { err: error, incident: incident.id, platform: reporter.platform },
        'telling a reporter failed',
      );
      return false;
    });
    if (!told)
      log.warn({ incident: incident.id, platform: reporter.platform }, 'a reporter could not be told');
  }
}
