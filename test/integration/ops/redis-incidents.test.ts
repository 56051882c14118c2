import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createIncidentNotifier, type ShowWhere } from '../../../src/app/incident-notifier.js';
import { incidentsSchema } from '../../../src/config/incidents-schema.js';
import type { Reporter } from '../../../src/incidents/incident-tracker.js';
import {
  createRedisIncidentPosts,
  createRedisIncidentTracker,
} from '../../../src/ops/redis/redis-incident-tracker.js';
import { createRedisRecheckBackoff } from '../../../src/ops/redis/redis-recheck-backoff.js';
import type { Finding } from '../../../src/report/finding.js';
import { trackerContract } from '../../incidents/tracker-contract.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';

// The Redis incident store against a real redis-server: the contract every store keeps
// (test/incidents/tracker-contract.ts, the same table SQLite answers), then what only a shared
// store has to prove — two replicas (two connections) recording reports of one outage at once
// make one incident with every report.

const down: { findings: Finding[] } = {
  findings: [
    {
      probe: 'tcp',
      target: 'srv-fin-02:3389',
      status: 'timeout',
      code: 'TCP_TIMEOUT',
      summary: 'no answer',
      ms: 1,
    },
  ],
};
const user = (id: string): Reporter => ({ platform: 'slack', user: id, channel: 'C1', thread: `${id}.1` });

describeWithRedis('Redis incident store (real redis-server)', (binary) => {
  let server: RedisServer;
  let a: Redis;
  let b: Redis;
  let stores = 0;
  // Every tracker its own key prefix: a fresh, empty store on the one server.
  const prefix = () => `test:incidents:${++stores}:`;
  beforeAll(async () => {
    server = await startRedisServer(binary);
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await server?.stop();
  });

  describe('the store contract', () => {
    trackerContract(async ({ now, config = incidentsSchema.parse({}) } = {}) =>
      createRedisIncidentTracker(a, config, { prefix: prefix(), ...(now && { now }) }),
    );
  });

  test('two replicas recording 60 reports of one outage at once: one incident, every reporter once', async () => {
    const shared = prefix();
    const config = incidentsSchema.parse({});
    const one = createRedisIncidentTracker(a, config, { prefix: shared });
    const two = createRedisIncidentTracker(b, config, { prefix: shared });
    // 40 users, 20 of them reporting twice (once through each replica), all in flight together.
    const reports = Array.from({ length: 60 }, (_, i) =>
      (i % 2 === 0 ? one : two).observe(down, user(`U${i % 40}`)),
    );
    const notices = (await Promise.all(reports)).flat();
    const incidents = await one.list();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: 'INC-1', reports: 40, state: 'open' });
    expect(new Set(incidents[0]?.reporters)).toEqual(
      new Set(Array.from({ length: 40 }, (_, i) => `slack:U${i}`)),
    );
    // Exactly one report opened it; every other one joined it (or was a repeat, counted once).
    expect(notices.filter((notice) => notice.opened)).toHaveLength(1);
    expect(notices.filter((notice) => notice.repeat)).toHaveLength(20);
    // Only the very first report waited (the threshold is two users); the rest got their number,
    // each user one number of 1…40 whichever replica they went through.
    expect(notices).toHaveLength(59);
    expect(new Set(notices.map((n) => n.position))).toEqual(
      new Set(Array.from({ length: 40 }, (_, i) => i + 1)),
    );
    // Both replicas read the same incident and the same reporters, where they reported.
    expect(await two.get('INC-1')).toEqual(incidents[0]);
    expect(await two.reportersOf('INC-1')).toContainEqual({
      platform: 'slack',
      user: 'U7',
      channel: 'C1',
      thread: 'U7.1',
    });
  });

  test('the first two reports arriving at once through two replicas open one incident, not two', async () => {
    for (let round = 0; round < 20; round += 1) {
      const shared = prefix();
      const config = incidentsSchema.parse({});
      const one = createRedisIncidentTracker(a, config, { prefix: shared });
      const two = createRedisIncidentTracker(b, config, { prefix: shared });
      const [first, second] = await Promise.all([
        one.observe(down, user('U1')),
        two.observe(down, user('U2')),
      ]);
      expect([...(first ?? []), ...(second ?? [])].map((n) => n.opened)).toEqual([true]);
      expect((await one.list()).map((incident) => incident.reports)).toEqual([2]);
    }
  });

  test('a monitor on two replicas: its streak is shared, the second failure anywhere opens it', async () => {
    const shared = prefix();
    const config = incidentsSchema.parse({});
    const one = createRedisIncidentTracker(a, config, { prefix: shared });
    const two = createRedisIncidentTracker(b, config, { prefix: shared });
    expect(await one.observeMonitor(down, 'fin')).toEqual([]);
    expect(await two.observeMonitor(down, 'fin')).toMatchObject([
      { opened: true, incident: { id: 'INC-1', reporters: ['monitor:fin'] } },
    ]);
  });

  test('two replicas telling the helpdesk of one incident at once: one post, then an edit of it', async () => {
    const shared = prefix();
    const config = incidentsSchema.parse({});
    const tracker = createRedisIncidentTracker(a, config, { prefix: shared });
    await tracker.observe(down, user('U1'));
    const [opened] = await tracker.observe(down, user('U2'));
    if (!opened) throw new Error('no incident opened');
    const shown: { replica: string; where: ShowWhere }[] = [];
    const notifierOf = (redis: Redis, replica: string) => {
      const notifier = createIncidentNotifier({
        posts: createRedisIncidentPosts(redis, { prefix: shared }),
        helpdesk: { slack: 'C0HELP' },
        reportersOf: (id) => tracker.reportersOf(id),
        logger: pino({ level: 'silent' }),
        retryDelaysMs: [50, 100, 200, 400],
      });
      // A post takes a while, as Slack's chat.postMessage does: long enough for the other replica to look.
      notifier.register('slack', async (where) => {
        shown.push({ replica, where });
        await delay(100);
        return where.messageRef ?? `${replica}-post`;
      });
      return notifier;
    };
    const one = notifierOf(a, 'one');
    const two = notifierOf(b, 'two');
    // Replica one opened the incident; at the same moment a third report attached through two.
    one.onChange({ incident: opened.incident, event: 'opened' });
    two.onChange({ incident: { ...opened.incident, reports: 3 }, event: 'attached' });
    await Promise.all([one.idle(), two.idle()]);
    const posts = shown.filter(({ where }) => where.messageRef === undefined);
    expect(posts).toHaveLength(1);
    const poster = posts[0]?.replica;
    expect(shown).toEqual([
      { replica: poster, where: { channel: 'C0HELP' } },
      {
        replica: poster === 'one' ? 'two' : 'one',
        where: { channel: 'C0HELP', messageRef: `${poster}-post` },
      },
    ]);
  });

  test('re-probe backoff: what one replica recorded decides when the next replica re-probes', async () => {
    const key = `${prefix()}backoff`;
    const one = createRedisRecheckBackoff(a, 1000, { key });
    const two = createRedisRecheckBackoff(b, 1000, { key });
    const tracker = createRedisIncidentTracker(a, incidentsSchema.parse({ openAfterReports: 1 }), {
      prefix: prefix(),
    });
    const [notice] = await tracker.observe(down, user('U1'));
    if (!notice) throw new Error('no incident opened');
    const open = [notice.incident];
    // New: due at once, on either replica.
    expect(await two.due(open, 0)).toEqual(open);
    // Still failing at 0 s, at 1 s, at 3 s: due after 1, 2, then 4 s, whichever replica looks.
    await one.record([{ id: 'INC-1', outcome: 'failing' }], open, 0);
    expect([await two.due(open, 999), await two.due(open, 1000)]).toEqual([[], open]);
    await two.record([{ id: 'INC-1', outcome: 'failing' }], open, 1000);
    expect([await one.due(open, 2999), await one.due(open, 3000)]).toEqual([[], open]);
    await one.record([{ id: 'INC-1', outcome: 'failing' }], open, 3000);
    expect([await two.due(open, 6999), await two.due(open, 7000)]).toEqual([[], open]);
    // Green once: back after one base interval to confirm it.
    await two.record([{ id: 'INC-1', outcome: 'green' }], open, 7000);
    expect([await one.due(open, 7999), await one.due(open, 8000)]).toEqual([[], open]);
    // No longer open: forgotten.
    await one.record([], [], 8000);
    expect(await a.hlen(key)).toBe(0);
  });

  test('helpdesk posts: one per incident and platform, seen by every replica', async () => {
    const shared = prefix();
    const one = createRedisIncidentPosts(a, { prefix: shared });
    const two = createRedisIncidentPosts(b, { prefix: shared });
    expect(await two.get('INC-1', 'slack')).toBeNull();
    await one.put('INC-1', 'slack', { channel: 'C0HELP', messageRef: '1700000000.000100' });
    expect(await two.get('INC-1', 'slack')).toEqual({ channel: 'C0HELP', messageRef: '1700000000.000100' });
    expect(await two.get('INC-1', 'teams')).toBeNull();
  });
});
