import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MonitorBot } from '../../../src/app/monitor.js';
import { MONITOR_QUEUE, RECHECK_SCHEDULER, startMonitorJobs } from '../../../src/app/monitor-jobs.js';
import { configSchema } from '../../../src/config/schema.js';
import { understand } from '../../../src/intents/understand.js';
import { createRedisIncidentTracker } from '../../../src/ops/redis/redis-incident-tracker.js';
import type { Report } from '../../../src/report/report.js';
import { waitFor } from '../../helpers/wait-for.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';

// The monitors' BullMQ schedule on a real redis-server, two "replicas" in this process (each its
// own connections, queue and worker): the schedulers follow the config, and a pass slower than
// its interval is never run twice at once, on one replica or across both. The bot's triage is a
// stand-in that takes as long as the test says, so only the schedule decides what runs when.

const logger = pino({ level: 'silent' });

describeWithRedis('monitor job schedulers (real redis-server)', (binary) => {
  let server: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer(binary);
    client = new Redis(server.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  /** A bot whose triage of a monitor's host takes `takesMs`; counts passes and how many ran at once. */
  function makeBot(
    config: ReturnType<typeof configSchema.parse>,
    takesMs: number,
    counts: Counts,
  ): MonitorBot {
    return {
      understand: (text) => understand(text),
      incidents: createRedisIncidentTracker(client, config.incidents),
      async triage(understanding): Promise<Report> {
        const monitor = understanding.hosts[0]?.port === undefined;
        if (monitor) {
          counts.running += 1;
          counts.mostAtOnce = Math.max(counts.mostAtOnce, counts.running);
        }
        try {
          if (monitor) await delay(takesMs);
        } finally {
          if (monitor) {
            counts.running -= 1;
            counts.passes += 1;
          }
        }
        return {
          understanding,
          findings: [],
          fixes: [],
          refusals: [],
          startedAt: new Date().toISOString(),
          ms: 1,
        };
      },
    };
  }
  interface Counts {
    running: number;
    mostAtOnce: number;
    passes: number;
  }

  test('one scheduler per configured monitor at its interval, plus the re-probes; a removed monitor loses its own', async () => {
    const counts: Counts = { running: 0, mostAtOnce: 0, passes: 0 };
    const before = configSchema.parse({
      monitors: [
        { name: 'rdg', host: 'srv-a.corp.example', intervalSeconds: 600 },
        { name: 'hosts', host: 'srv-b.corp.example', intervalSeconds: 900 },
      ],
    });
    const first = await startMonitorJobs({
      redisUrl: server.url,
      bot: makeBot(before, 0, counts),
      config: before,
      logger,
    });
    const queue = new Queue(MONITOR_QUEUE, { connection: client });
    try {
      const schedulers = async () =>
        Object.fromEntries((await queue.getJobSchedulers()).map((s) => [s.key, s.every])).valueOf();
      expect(await schedulers()).toEqual({ rdg: 600_000, hosts: 900_000, [RECHECK_SCHEDULER]: 300_000 });
      await first.stop();
      const after = configSchema.parse({
        monitors: [{ name: 'rdg', host: 'srv-a.corp.example', intervalSeconds: 60 }],
      });
      const second = await startMonitorJobs({
        redisUrl: server.url,
        bot: makeBot(after, 0, counts),
        config: after,
        logger,
      });
      await second.stop();
      // The re-probe base follows the shortest monitor interval.
      expect(await schedulers()).toEqual({ rdg: 60_000, [RECHECK_SCHEDULER]: 60_000 });
    } finally {
      await queue.close();
    }
  });

  test('a pass slower than its interval: never two at once across two replicas, later intervals skipped', async () => {
    const counts: Counts = { running: 0, mostAtOnce: 0, passes: 0 };
    const config = configSchema.parse({
      monitors: [{ name: 'slow', host: 'srv-slow.corp.example', intervalSeconds: 1 }],
    });
    const replicas = await Promise.all(
      [1, 2].map(() =>
        startMonitorJobs({ redisUrl: server.url, bot: makeBot(config, 2500, counts), config, logger }),
      ),
    );
    try {
      await waitFor(() => counts.passes >= 3, {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: 'three slow passes',
      });
      expect(counts.mostAtOnce).toBe(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  }, 60_000);
});
