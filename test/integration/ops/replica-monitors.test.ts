import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { incidentsSchema } from '../../../src/config/incidents-schema.js';
import { createRedisIncidentTracker } from '../../../src/ops/redis/redis-incident-tracker.js';
import { waitFor } from '../../helpers/wait-for.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';
import { sendEvents, startBotProcesses, startChatApi, writeConfig } from './fixtures/processes.js';

// Issue 19 with replicas: two bot processes (the real runBot, REDIS_URL set) on one real
// redis-server. Each monitor is a BullMQ job scheduler (id = its name, every = its interval), so
// across both replicas each monitor's pass runs once per interval; and incidents live in Redis,
// so reports of one outage arriving at both replicas at once are one incident with every report.

/** A loopback port nothing listens on: connecting is refused at once (TCP_REFUSED). */
async function closedPort(host: string): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Pass {
  replica: string;
  monitor: string;
  /** The interval's slot: a scheduler's job id is `repeat:<scheduler id>:<slot ms>`. */
  slot: number;
}

/** The `monitor pass` log lines of one replica's stderr (pino JSON, one object a line). */
function passesOf(stderr: string, replica: string): Pass[] {
  return stderr.split('\n').flatMap((line): Pass[] => {
    if (!line.includes('"monitor pass"')) return [];
    const entry = JSON.parse(line) as { msg: string; monitor: string; jobId: string };
    const slot = Number(entry.jobId.split(':').at(-1));
    return entry.msg === 'monitor pass' ? [{ replica, monitor: entry.monitor, slot }] : [];
  });
}

describeWithRedis(
  'monitors and incidents across replicas (real redis-server, two bot processes)',
  (binary) => {
    let redis: RedisServer;
    let dir: string;
    beforeAll(async () => {
      redis = await startRedisServer(binary);
      dir = await mkdtemp(join(tmpdir(), 'rdp-triage-replica-monitors-'));
    });
    afterAll(async () => {
      await redis?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('each monitor runs once per interval across both replicas; simultaneous reports make one incident', async () => {
      const monitored = await closedPort('127.0.0.1');
      const reported = await closedPort('127.0.0.2');
      const config = await writeConfig(
        join(dir, 'config.yaml'),
        [
          'probes:',
          `  rdpPorts: [3389, ${monitored}, ${reported}]`,
          '  timeoutMs: 2000',
          'rateLimits:',
          '  perUser: { probesPerMinute: 1000, concurrentTriages: 100 }',
          '  perChannel: { probesPerMinute: 1000, concurrentTriages: 100 }',
          'monitors:',
          `  - { name: fin-rdp, host: "127.0.0.1:${monitored}", intervalSeconds: 1 }`,
          `  - { name: fin-rdp-slow, host: "127.0.0.1:${monitored}", intervalSeconds: 2 }`,
        ].join('\n'),
      );
      const chat = await startChatApi();
      const env = {
        RDP_TRIAGE_CONFIG: config,
        CHAT_API_URL: chat.url,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'info',
      };
      const [one, two] = await startBotProcesses([
        { ...env, REPLICA: 'one' },
        { ...env, REPLICA: 'two' },
      ]);
      const client = new Redis(redis.url);
      try {
        const passes = () => [...passesOf(one.stderr(), 'one'), ...passesOf(two.stderr(), 'two')];
        const of = (monitor: string) =>
          passes()
            .filter((pass) => pass.monitor === monitor)
            .sort((x, y) => x.slot - y.slot);
        // Twelve intervals of the 1 s monitor (six of the 2 s one), whichever replica ran them.
        await waitFor(() => of('fin-rdp').length >= 12 && of('fin-rdp-slow').length >= 6, {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: 'twelve passes of fin-rdp and six of fin-rdp-slow',
        }).catch((error: Error) => {
          throw new Error(`${error.message}\n${one.stderr().slice(-1500)}\n${two.stderr().slice(-1500)}`);
        });
        for (const [monitor, everyMs] of [
          ['fin-rdp', 1000],
          ['fin-rdp-slow', 2000],
        ] as const) {
          const slots = of(monitor).map((pass) => pass.slot);
          // Never one interval twice (on one replica or on both) …
          expect(new Set(slots).size).toBe(slots.length);
          // … and none left out: each slot is the one before plus the monitor's own interval.
          expect(slots.slice(1).map((slot, i) => slot - (slots[i] ?? 0))).toEqual(
            Array.from({ length: slots.length - 1 }, () => everyMs),
          );
        }

        // Two failures in a row of the monitors opened one incident, in Redis, before anyone wrote.
        const incidents = createRedisIncidentTracker(client, incidentsSchema.parse({}));
        const monitorIncident = await waitFor(
          async () => (await incidents.list()).find((incident) => incident.target === '127.0.0.1'),
          { timeoutMs: 20_000, what: 'the monitors’ incident' },
        );
        expect(monitorIncident).toMatchObject({ cause: 'TCP_REFUSED', state: 'open' });
        expect(monitorIncident.reporters).toEqual(expect.arrayContaining(['monitor:fin-rdp']));

        // Twelve users report another down host, half through each replica, all at once.
        const events = Array.from({ length: 12 }, (_, i) => ({
          id: `report-${i}`,
          user: `U${i}`,
          channel: 'C1',
          text: `rdp 0x204 on 127.0.0.2:${reported}`,
        }));
        await Promise.all([
          sendEvents(
            [one.intakePort],
            events.filter((_, i) => i % 2 === 0),
          ),
          sendEvents(
            [two.intakePort],
            events.filter((_, i) => i % 2 === 1),
          ),
        ]);
        const reportedIncident = await waitFor(
          async () => {
            const found = (await incidents.list()).filter((incident) => incident.target === '127.0.0.2');
            return found.length > 0 && found.every((incident) => incident.reports === 12) ? found : null;
          },
          { timeoutMs: 60_000, intervalMs: 200, what: 'the twelve reports attached' },
        );
        expect(reportedIncident).toHaveLength(1);
        expect(new Set(reportedIncident[0]?.reporters)).toEqual(
          new Set(events.map((event) => `slack:${event.user}`)),
        );
      } finally {
        client.disconnect();
        one.kill();
        two.kill();
        await Promise.all([one.exited, two.exited]);
        await chat.close();
      }
    }, 180_000);
  },
);
