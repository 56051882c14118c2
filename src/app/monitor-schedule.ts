import type { Logger } from 'pino';
import type { MonitorConfig } from '../config/incidents-schema.js';
import type { Config } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import { createRecheckBackoff, type RecheckBackoff } from '../incidents/recheck-backoff.js';
import { type MonitorBot, type MonitorChange, monitorName, recheckIncidents, runMonitor } from './monitor.js';

export interface MonitorSchedule {
  /** One pass now: every monitor, every open incident (tests and `monitorPass` call it). */
  runPass(): Promise<MonitorChange[]>;
  stop(): Promise<void>;
}

/** Open incidents are re-probed this often (before backoff) even with no monitor configured. */
const DEFAULT_RECHECK_S = 300;
/** A monitor's probe or a round of re-probes never runs longer than this. */
export const PASS_DEADLINE_MS = 4 * 60_000;

/** The base interval of incident re-probes: the shortest monitor interval, at most 300 s. */
export function recheckIntervalMs(config: Config): number {
  return Math.min(DEFAULT_RECHECK_S, ...config.monitors.map((monitor) => monitor.intervalSeconds)) * 1000;
}

/**
 * Runs `work` for `key` unless a run of that key is still going, in which case that run is the
 * answer: one pass of a given monitor at a time, however slow its target is.
 */
function createSingleFlight() {
  const running = new Map<string, Promise<MonitorChange[]>>();
  return (key: string, work: () => Promise<MonitorChange[]>): Promise<MonitorChange[]> => {
    const current = running.get(key);
    if (current) return current;
    const started = work().finally(() => running.delete(key));
    running.set(key, started);
    return started;
  };
}

/**
 * A schedule's runs, one at a time per key (a monitor, or the re-probes): a monitor's probe, a
 * round of re-probes (every open incident on `all`, else those due), and a whole pass now, which
 * never overlaps a scheduled run of the same key.
 */
export function createScheduledRuns(bot: MonitorBot, rechecks: ReturnType<typeof createRechecks>) {
  const once = createSingleFlight();
  const monitor = (key: string, entry: MonitorConfig) =>
    once(`monitor:${key}`, () => runMonitor(bot, entry, deadlineSignal(PASS_DEADLINE_MS)));
  const recheck = (all: boolean) => once('recheck', () => rechecks({ all }));
  return {
    monitor,
    recheck,
    async pass(entries: readonly (readonly [string, MonitorConfig])[]): Promise<MonitorChange[]> {
      const monitored = await Promise.all(entries.map(([key, entry]) => monitor(key, entry)));
      return [...monitored.flat(), ...(await recheck(true))];
    },
  };
}

/**
 * The re-probe of open incidents a schedule runs: every one on `all`, else only those whose
 * backoff (src/incidents/recheck-backoff.ts) says they are due.
 */
export function createRechecks(
  bot: MonitorBot,
  probes: Config['probes'],
  backoff: RecheckBackoff,
  now: () => number,
) {
  return async ({ all }: { all: boolean }): Promise<MonitorChange[]> => {
    const open = await bot.incidents.list();
    const due = all ? open : await backoff.due(open, now());
    const changes = await recheckIncidents(bot, probes, due, deadlineSignal(PASS_DEADLINE_MS));
    const results = changes.flatMap((change) =>
      change.incident && change.change !== 'opened' && change.change !== 'attached'
        ? [{ id: change.incident.id, outcome: change.change }]
        : [],
    );
    await backoff.record(results, open, now());
    return changes;
  };
}

/**
 * Serve's in-process schedule (the embedded default, no Redis): one timer per monitor at its own
 * `intervalSeconds`, and one for the re-probes of open incidents, each incident on its backoff.
 * What changes (an incident opened or resolved) reaches the helpdesk and the reporters through
 * the tracker's change relay (src/app/incident-notifier.ts). A failed pass is logged.
 */
export function startMonitorSchedule({
  bot,
  config,
  logger,
  now = Date.now,
}: {
  bot: MonitorBot;
  config: Config;
  logger: Logger;
  now?: () => number;
}): MonitorSchedule {
  const log = logger.child({ component: 'monitors' });
  const runs = createScheduledRuns(
    bot,
    createRechecks(bot, config.probes, createRecheckBackoff(recheckIntervalMs(config)), now),
  );
  // Keyed by position: two monitors may share a name (it defaults to the host).
  const entries = config.monitors.map((entry, index) => [String(index), entry] as const);
  const every = (ms: number, what: Record<string, unknown>, run: () => Promise<unknown>) => {
    const timer = setInterval(() => {
      run().catch((error: unknown) => log.error({ err: error, ...what }, 'monitor pass failed'));
    }, ms);
    // The schedule never keeps the process alive on its own.
    timer.unref();
    return timer;
  };
  const timers = config.incidents.enabled
    ? [
        ...entries.map(([key, entry]) =>
          every(entry.intervalSeconds * 1000, { monitor: monitorName(entry) }, () =>
            runs.monitor(key, entry),
          ),
        ),
        every(recheckIntervalMs(config), { recheck: true }, () => runs.recheck(false)),
      ]
    : [];
  return {
    runPass: () => runs.pass(entries),
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
