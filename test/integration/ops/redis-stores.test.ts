import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRedisDedupeStore } from '../../../src/ops/redis/redis-dedupe-store.js';
import { createRedisFeedbackStore } from '../../../src/ops/redis/redis-feedback-store.js';
import { createRedisRateLimiter } from '../../../src/ops/redis/redis-rate-limiter.js';
import { createRedisTriageState } from '../../../src/ops/redis/redis-triage-state.js';
import { createMemoryFeedbackStore, type FeedbackVote } from '../../../src/store/feedback-store.js';
import { waitFor } from '../../helpers/wait-for.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';

describeWithRedis('Redis-backed shared state (real redis-server)', (binary) => {
  let server: RedisServer;
  // Two clients stand for two replicas.
  let a: Redis;
  let b: Redis;
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

  test('dedupe: of many concurrent claims of one key across replicas exactly one wins; keys expire', async () => {
    const one = createRedisDedupeStore(a, { prefix: 'test:dedupe:' });
    const two = createRedisDedupeStore(b, { prefix: 'test:dedupe:' });
    const claims = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).claim(`event-${i % 50}`, 60_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(50);
    expect(await one.claim('short', 50)).toBe(true);
    expect(await two.claim('short', 50)).toBe(false);
    // Redis expires the key on its own clock: wait until it is gone, then it can be claimed again.
    await waitFor(async () => (await a.exists('test:dedupe:short')) === 0, { what: 'the key to expire' });
    expect(await two.claim('short', 50)).toBe(true);
  });

  test('feedback: the same votes give the same statistics as the in-process store, across replicas', async () => {
    const memory = createMemoryFeedbackStore();
    const one = createRedisFeedbackStore(a, { prefix: 'test:feedback:' });
    const two = createRedisFeedbackStore(b, { prefix: 'test:feedback:' });
    const vote = (over: Partial<FeedbackVote>): FeedbackVote => ({
      triageId: 't1',
      fixId: 'enable-nla',
      codes: ['0x904'],
      helped: true,
      user: 'U1',
      platform: 'slack',
      at: '2026-11-25T00:00:00Z',
      ...over,
    });
    const votes = [
      vote({}),
      vote({ user: 'U2' }),
      vote({ user: 'U2', helped: false }), // U2 changes their mind: replaces, not adds
      vote({ user: 'U3', fixId: 'renew-cert', codes: ['0x904', '0x7'] }),
      vote({ user: 'U4', fixId: 'renew-cert', codes: [], helped: false }),
    ];
    for (const [i, v] of votes.entries()) {
      await memory.record(v);
      await (i % 2 === 0 ? one : two).record(v);
    }
    const expected = await memory.stats();
    expect(expected['0x904']?.['enable-nla']).toEqual({ helped: 1, notHelped: 1 });
    expect(await one.stats()).toEqual(expected);
    expect(await two.stats()).toEqual(expected);
  });

  test('rate limits: two replicas together never grant more than the window allows', async () => {
    const one = createRedisRateLimiter(a, { prefix: 'test:rate:' });
    const two = createRedisRateLimiter(b, { prefix: 'test:rate:' });
    const grants = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? one : two).takeProbes({
          userKey: 'slack:U1',
          channelKey: 'slack:C1',
          want: 1,
          userLimit: 20,
          channelLimit: 60,
        }),
      ),
    );
    expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(20);
    const refused = grants.find((g) => g.granted === 0);
    expect(refused?.userWaitMs).toBeGreaterThan(50_000);
    expect(refused?.channelWaitMs).toBe(0);
    // Partial grant: 3 wanted, the channel has 1 left.
    const partial = await one.takeProbes({
      userKey: 'u2',
      channelKey: 'c2',
      want: 3,
      userLimit: 10,
      channelLimit: 1,
    });
    expect(partial.granted).toBe(1);

    const slots = await Promise.all([0, 1, 2].map(() => two.acquire('slack:U9', { max: 2, ttlMs: 60_000 })));
    expect(slots.filter((slot) => slot !== null)).toHaveLength(2);
    await slots.find((slot) => slot !== null)?.();
    expect(await one.acquire('slack:U9', { max: 2, ttlMs: 60_000 })).not.toBeNull();
  });

  test('triage state: triages of a replica that stops heartbeating are handed to exactly one survivor', async () => {
    const dying = createRedisTriageState(a, { replicaId: 'r-dying', leaseMs: 200, prefix: 'test:triage:' });
    const alive = createRedisTriageState(b, {
      replicaId: 'r-alive',
      leaseMs: 60_000,
      prefix: 'test:triage:',
    });
    const other = createRedisTriageState(b, {
      replicaId: 'r-other',
      leaseMs: 60_000,
      prefix: 'test:triage:',
    });
    await dying.begin({ triageId: 'd1', platform: 'slack', channel: 'C1', startedAt: 'now' });
    await dying.attach('d1', '1700000000.000100');
    await dying.begin({ triageId: 'd2', platform: 'teams', channel: 'conv', startedAt: 'now' });
    await dying.end('d2');
    await alive.begin({ triageId: 'a1', platform: 'slack', channel: 'C2', startedAt: 'now' });
    expect(await alive.claimOrphans()).toEqual([]);
    // The dying replica heartbeats no more: its lease key expires (Redis's clock), then its triages are orphans.
    await waitFor(async () => (await a.exists('test:triage:lease:r-dying')) === 0, {
      what: 'the lease to expire',
    });
    const [first, second] = await Promise.all([alive.claimOrphans(), other.claimOrphans()]);
    expect([...first, ...second]).toEqual([
      { triageId: 'd1', platform: 'slack', channel: 'C1', startedAt: 'now', messageRef: '1700000000.000100' },
    ]);
    expect(await a.hkeys('test:triage:running')).toEqual(['a1']);
  });
});
