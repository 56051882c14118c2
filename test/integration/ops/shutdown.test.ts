import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { INTERRUPTED_TEXT } from '../../../src/ops/in-flight.js';
import { CONFIRM, startX224Server } from '../../helpers/x224-server.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';
import { sendEvents, startBotProcess, startChatApi, writeConfig } from './fixtures/processes.js';

describeWithRedis('SIGTERM with triages in flight (bot process, real redis-server)', (binary) => {
  let redis: RedisServer;
  let answering: Awaited<ReturnType<typeof startX224Server>>;
  let hung: Awaited<ReturnType<typeof startX224Server>>;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedisServer(binary);
    answering = await startX224Server(CONFIRM.nla);
    hung = await startX224Server(null);
    dir = await mkdtemp(join(tmpdir(), 'rdp-triage-shutdown-'));
  });
  afterAll(async () => {
    await redis?.stop();
    await answering?.close();
    await hung?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('20 running triages: the quick ones finish, the hung ones are told to run again, exit 0', async () => {
    const config = await writeConfig(
      join(dir, 'config.yaml'),
      [
        'probes:',
        `  rdpPorts: [${answering.port}, ${hung.port}]`,
        // A hung RDP server holds its triage for the whole probe deadline, far past the grace time.
        '  timeoutMs: 60000',
        'rateLimits:',
        '  perUser: { probesPerMinute: 1000, concurrentTriages: 100 }',
        '  perChannel: { probesPerMinute: 1000, concurrentTriages: 100 }',
        'ops:',
        '  shutdownGraceMs: 8000',
      ].join('\n'),
    );
    const chat = await startChatApi();
    const bot = await startBotProcess({
      RDP_TRIAGE_CONFIG: config,
      CHAT_API_URL: chat.url,
      REDIS_URL: redis.url,
      REPLICA: 'solo',
      LOG_LEVEL: 'info',
    });
    try {
      const events = Array.from({ length: 20 }, (_, i) => ({
        id: `m${i}`,
        user: `U${i}`,
        channel: 'C1',
        text: `rdp 0x904 on 127.0.0.1:${i < 10 ? answering.port : hung.port}`,
      }));
      await sendEvents([bot.intakePort], events);
      // All 20 are running: each has its first message up, and Redis holds 20 in-progress triages.
      const inspect = new Redis(redis.url);
      await expect
        .poll(() => chat.calls.filter((c) => c.method === 'post').length, { timeout: 60_000 })
        .toBe(20);
      await expect
        .poll(() => inspect.hlen('rdp-triage:triage:running'), { timeout: 10_000 })
        .toBeGreaterThan(0);

      bot.kill('SIGTERM');
      expect(await bot.exited).toBe(0);

      const last = new Map(chat.calls.map((call) => [call.event, call]));
      expect(last.size).toBe(20);
      for (const event of events) {
        const shown = last.get(event.id);
        const quick = Number(event.id.slice(1)) < 10;
        // Every message ends either with its report or with the interrupted notice.
        if (quick) expect(shown?.kind).toBe('report');
        else expect(shown).toMatchObject({ kind: 'text', text: INTERRUPTED_TEXT });
      }
      expect(bot.stderr()).toMatch(/"finished":\d+,"interrupted":10/);
      // Nothing is left for another replica to report as lost.
      expect(await inspect.hlen('rdp-triage:triage:running')).toBe(0);
      inspect.disconnect();
    } finally {
      bot.kill('SIGKILL');
      await chat.close();
    }
  }, 180_000);
});
