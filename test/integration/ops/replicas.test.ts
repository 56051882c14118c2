import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CONFIRM, startX224Server } from '../../helpers/x224-server.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';
import {
  type ChatCall,
  sendEvents,
  startBotProcesses,
  startChatApi,
  waitFor,
  writeConfig,
} from './fixtures/processes.js';

/** Events as a chat platform delivers them; every tenth names a loopback RDP server to probe. */
function makeEvents(count: number, port: number, prefix: string) {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    user: `U${i % 40}`,
    channel: `C${i % 7}`,
    text:
      i % 10 === 0
        ? `rdp 0x904 on 127.0.0.1:${port}`
        : `remote desktop error 0x${(0x904 + (i % 5)).toString(16)}`,
  }));
}

/** Per event: how many distinct replicas posted a first message, and the last thing shown. */
function answers(calls: ChatCall[]) {
  const byEvent = new Map<string, { posts: number; replicas: Set<string>; last?: ChatCall }>();
  for (const call of calls) {
    const entry = byEvent.get(call.event) ?? { posts: 0, replicas: new Set<string>() };
    if (call.method === 'post') entry.posts += 1;
    entry.replicas.add(call.replica);
    entry.last = call;
    byEvent.set(call.event, entry);
  }
  return byEvent;
}

describeWithRedis('several replicas behind one app (real redis-server, two bot processes)', (binary) => {
  let redis: RedisServer;
  let dir: string;
  let rdp: Awaited<ReturnType<typeof startX224Server>>;
  let config: string;
  beforeAll(async () => {
    redis = await startRedisServer(binary);
    rdp = await startX224Server(CONFIRM.nla);
    dir = await mkdtemp(join(tmpdir(), 'rdp-triage-replicas-'));
    config = await writeConfig(
      join(dir, 'config.yaml'),
      [
        'probes:',
        `  rdpPorts: [${rdp.port}]`,
        '  timeoutMs: 4000',
        'rateLimits:',
        '  perUser: { probesPerMinute: 10000, concurrentTriages: 1000 }',
        '  perChannel: { probesPerMinute: 10000, concurrentTriages: 1000 }',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await redis?.stop();
    await rdp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the same 1,000 events delivered to both replicas are answered once each', async () => {
    const chat = await startChatApi();
    const env = { RDP_TRIAGE_CONFIG: config, CHAT_API_URL: chat.url, REDIS_URL: redis.url };
    const [one, two] = await startBotProcesses([
      { ...env, REPLICA: 'one' },
      { ...env, REPLICA: 'two' },
    ]);
    try {
      const events = makeEvents(1000, rdp.port, 'shared');
      await sendEvents([one.intakePort, two.intakePort], events).catch((error) => {
        throw new Error(`${error}\n${one.stderr().slice(-1500)}\n${two.stderr().slice(-1500)}`);
      });
      // Every event ends with its final report (or text) edit.
      await expect
        .poll(() => [...answers(chat.calls).values()].filter((a) => a.last?.kind === 'report').length, {
          timeout: 300_000,
          interval: 500,
        })
        .toBe(1000);
      const byEvent = answers(chat.calls);
      expect(byEvent.size).toBe(1000);
      for (const [event, answer] of byEvent) {
        expect({ event, posts: answer.posts, replicas: answer.replicas.size }).toEqual({
          event,
          posts: 1,
          replicas: 1,
        });
      }
      // Both replicas did work (the dedupe decides per event, not one replica for everything).
      const replicas = new Set(chat.calls.map((call) => call.replica));
      expect(replicas).toEqual(new Set(['one', 'two']));
      // Probed events carry the loopback server's findings (which ones depends on the machine's
      // load against the 4 s probe deadline; that they were probed does not).
      expect(byEvent.get('shared-0')?.last?.findings?.length).toBeGreaterThan(0);
    } finally {
      one.kill();
      two.kill();
      await Promise.all([one.exited, two.exited]);
      await chat.close();
    }
  }, 400_000);

  test('rate limits are shared: 3 probes per minute for a user hold across both replicas', async () => {
    const limited = await writeConfig(
      join(dir, 'limited.yaml'),
      [
        'probes:',
        `  rdpPorts: [${rdp.port}]`,
        'rateLimits:',
        '  perUser: { probesPerMinute: 3, concurrentTriages: 10 }',
      ].join('\n'),
    );
    const chat = await startChatApi();
    const env = { RDP_TRIAGE_CONFIG: limited, CHAT_API_URL: chat.url, REDIS_URL: redis.url };
    const [one, two] = await startBotProcesses([
      { ...env, REPLICA: 'one' },
      { ...env, REPLICA: 'two' },
    ]);
    try {
      const events = Array.from({ length: 6 }, (_, i) => ({
        id: `limited-${i}`,
        user: 'U-same',
        channel: `C${i}`,
        text: `rdp 0x904 on 127.0.0.1:${rdp.port}`,
      }));
      // Three events to each replica: each alone would allow all three.
      await Promise.all([
        sendEvents([one.intakePort], events.slice(0, 3)),
        sendEvents([two.intakePort], events.slice(3)),
      ]);
      await expect
        .poll(() => chat.calls.filter((call) => call.kind === 'report').length, { timeout: 60_000 })
        .toBe(6);
      const reports = chat.calls.filter((call) => call.kind === 'report');
      expect(reports.filter((call) => (call.findings?.length ?? 0) > 0)).toHaveLength(3);
    } finally {
      one.kill();
      two.kill();
      await Promise.all([one.exited, two.exited]);
      await chat.close();
    }
  }, 120_000);

  test('without REDIS_URL each replica only knows its own deliveries: both answer (the failure Redis prevents)', async () => {
    const chat = await startChatApi();
    const env = { RDP_TRIAGE_CONFIG: config, CHAT_API_URL: chat.url, REDIS_URL: '' };
    const [one, two] = await startBotProcesses([
      { ...env, REPLICA: 'one' },
      { ...env, REPLICA: 'two' },
    ]);
    try {
      await sendEvents([one.intakePort, two.intakePort], makeEvents(20, rdp.port, 'alone'));
      await waitFor(() => String(chat.calls.filter((call) => call.kind === 'report').length), /^40$/, 60_000);
      for (const answer of answers(chat.calls).values()) expect(answer.posts).toBe(2);
    } finally {
      one.kill();
      two.kill();
      await Promise.all([one.exited, two.exited]);
      await chat.close();
    }
  }, 120_000);
});
