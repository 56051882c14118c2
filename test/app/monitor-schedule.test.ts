import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { MonitorBot } from '../../src/app/monitor.js';
import { startMonitorSchedule } from '../../src/app/monitor-schedule.js';
import { configSchema } from '../../src/config/schema.js';
import { createIncidentTracker } from '../../src/incidents/incident-tracker.js';
import { understand } from '../../src/intents/understand.js';
import type { Finding } from '../../src/report/finding.js';
import type { Report } from '../../src/report/report.js';
import { openDatabase } from '../../src/store/sqlite.js';

// The embedded schedule (no Redis) on vitest's fake clock: each monitor on its own interval, one
// pass of a monitor at a time however slow its target, and open incidents re-probed with backoff.
// The bot's understand and incident tracker are the real ones (SQLite in memory); the triage
// answers from a table of host → finding, so the clock alone decides what runs when.

const logger = pino({ level: 'silent' });
const START = Date.parse('2026-12-07T08:00:00Z');

const timeout = (target: string): Finding => ({
  probe: 'tcp',
  target,
  status: 'timeout',
  code: 'TCP_TIMEOUT',
  summary: `${target} no answer`,
  ms: 1,
});

/** A bot whose triage records when each host was probed and answers `timeout` after `takesMs`. */
function makeBot(config: ReturnType<typeof configSchema.parse>, takesMs: Record<string, number> = {}) {
  // A monitor asks for its host as configured; a re-probe for the incident's host:port.
  const probed: { host: string; at: number; by: 'monitor' | 'recheck' }[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const bot: MonitorBot = {
    understand: (text) => understand(text),
    incidents: createIncidentTracker(openDatabase(':memory:'), config.incidents, { now: Date.now }),
    async triage(understanding): Promise<Report> {
      const host = understanding.hosts[0]?.name ?? '?';
      const by = understanding.hosts[0]?.port === undefined ? 'monitor' : 'recheck';
      probed.push({ host, at: Date.now() - START, by });
      if (by === 'monitor') running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        // The global setTimeout, which vitest's fake clock drives (node:timers/promises is not faked).
        const ms = takesMs[host] ?? 0;
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      } finally {
        if (by === 'monitor') running -= 1;
      }
      return {
        understanding,
        findings: [timeout(`${host}:3389`)],
        fixes: [],
        refusals: [],
        startedAt: new Date().toISOString(),
        ms: 1,
      };
    },
  };
  const passes = (by: 'monitor' | 'recheck', host?: string) =>
    probed.filter((p) => p.by === by && (host === undefined || p.host === host)).map((p) => p.at);
  return { bot, passes, mostAtOnce: () => mostAtOnce };
}

beforeEach(() => {
  vi.useFakeTimers({
    now: START,
    toFake: ['setTimeout', 'setInterval', 'clearInterval', 'clearTimeout', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('in-process monitor schedule', () => {
  test('each monitor runs at its own interval, not at the shortest one', async () => {
    const config = configSchema.parse({
      monitors: [
        { name: 'rdg', host: 'srv-a.corp.example', intervalSeconds: 2 },
        { name: 'hosts', host: 'srv-fin-02.corp.example', intervalSeconds: 5 },
      ],
    });
    const { bot, passes } = makeBot(config);
    const schedule = startMonitorSchedule({ bot, config, logger });
    try {
      await vi.advanceTimersByTimeAsync(10_000);
      expect(passes('monitor', 'srv-a.corp.example')).toEqual([2000, 4000, 6000, 8000, 10_000]);
      expect(passes('monitor', 'srv-fin-02.corp.example')).toEqual([5000, 10_000]);
    } finally {
      await schedule.stop();
    }
  });

  test('a monitor slower than its interval is never probed twice at once; its next interval waits', async () => {
    const config = configSchema.parse({
      monitors: [{ name: 'slow', host: 'srv-slow.corp.example', intervalSeconds: 1 }],
    });
    const { bot, passes, mostAtOnce } = makeBot(config, { 'srv-slow.corp.example': 2500 });
    const schedule = startMonitorSchedule({ bot, config, logger });
    try {
      await vi.advanceTimersByTimeAsync(10_000);
      expect(mostAtOnce()).toBe(1);
      // Started at 1 s, done at 3.5 s; the tick at 4 s starts the next, done at 6.5 s; then 7 s, 10 s.
      expect(passes('monitor')).toEqual([1000, 4000, 7000, 10_000]);
    } finally {
      await schedule.stop();
    }
  });

  test('an open incident still failing is re-probed after 1, 2, 4, then at most 8 base intervals', async () => {
    const config = configSchema.parse({
      monitors: [{ name: 'other', host: 'srv-other.corp.example', intervalSeconds: 10 }],
    });
    const { bot, passes } = makeBot(config);
    // Two users' reports open INC-1 on srv-fin-02 before the schedule starts.
    const down = { findings: [timeout('srv-fin-02:3389')] };
    await bot.incidents.observe(down, { platform: 'slack', user: 'U1', channel: 'C1' });
    expect(await bot.incidents.observe(down, { platform: 'slack', user: 'U2', channel: 'C1' })).toHaveLength(
      1,
    );
    const schedule = startMonitorSchedule({ bot, config, logger });
    try {
      await vi.advanceTimersByTimeAsync(330_000);
      const rechecks = passes('recheck', 'srv-fin-02').map((at) => at / 1000);
      // The re-probe base is the shortest monitor interval (10 s): due at once on the first tick,
      // then waits of 10, 20, 40, 80, 80 s while it keeps failing.
      expect(rechecks).toEqual([10, 20, 40, 80, 160, 240, 320]);
      // The monitor itself keeps its own 10 s beat meanwhile.
      expect(passes('monitor', 'srv-other.corp.example')).toHaveLength(33);
    } finally {
      await schedule.stop();
    }
  });

  test('stopped, nothing runs any more', async () => {
    const config = configSchema.parse({
      monitors: [{ name: 'rdg', host: 'srv-a.corp.example', intervalSeconds: 1 }],
    });
    const { bot, passes } = makeBot(config);
    const schedule = startMonitorSchedule({ bot, config, logger });
    await vi.advanceTimersByTimeAsync(3000);
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes('monitor')).toEqual([1000, 2000, 3000]);
    // Its incident (two failures in a row) was re-probed on the 1 s base, then never again.
    expect(passes('recheck')).toEqual([2000, 3000]);
  });
});
