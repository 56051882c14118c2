import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LOST_REPLICA_TEXT } from '../../../src/ops/in-flight.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';
import { sendEvents, startBotProcesses, startChatApi, writeConfig } from './fixtures/processes.js';

// A replica killed with SIGKILL cannot tell anyone; the triage it was running would hang on
// "Probing…" forever. Its record in Redis outlives it; once its lease lapses, a surviving replica
// claims the record and edits that same message to say the triage was lost.

describeWithRedis('a replica dies mid-triage (real redis-server, two bot processes)', (binary) => {
  let redis: RedisServer;
  let dir: string;
  let config: string;
  // Accepts the RDP connection and never answers: the triage is still probing when its replica dies.
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    redis = await startRedisServer(binary);
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    dir = await mkdtemp(join(tmpdir(), 'rdp-triage-lost-'));
    config = await writeConfig(
      join(dir, 'config.yaml'),
      ['probes:', `  rdpPorts: [${port}]`, '  timeoutMs: 60000'].join('\n'),
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the survivor edits the dead replica’s message to say the triage was lost', async () => {
    const chat = await startChatApi();
    const env = { RDP_TRIAGE_CONFIG: config, CHAT_API_URL: chat.url, REDIS_URL: redis.url };
    const [doomed, survivor] = await startBotProcesses([
      { ...env, REPLICA: 'doomed' },
      { ...env, REPLICA: 'survivor' },
    ]);
    try {
      const { port } = silent.address() as { port: number };
      await sendEvents(
        [doomed.intakePort],
        [{ id: 'lost-1', user: 'U1', channel: 'C1', text: `rdp 0x904 on 127.0.0.1:${port}` }],
      );
      // "Probing…" is up and the RDP probe is waiting on the silent server.
      await expect
        .poll(() => chat.calls.some((c) => c.event === 'lost-1' && c.method === 'post'), { timeout: 30_000 })
        .toBe(true);
      await expect.poll(() => sockets.size, { timeout: 30_000 }).toBeGreaterThan(0);
      doomed.kill('SIGKILL');
      await doomed.exited;
      const killedAt = Date.now();
      // The lease is 15 s and the survivor scans every 5 s.
      await expect
        .poll(() => chat.calls.find((c) => c.event === 'lost-1' && c.replica === 'survivor'), {
          timeout: 40_000,
          interval: 200,
        })
        .toMatchObject({ method: 'update', kind: 'text', text: LOST_REPLICA_TEXT });
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      // Told exactly once, and nothing else of the dead replica's triage was answered twice.
      expect(chat.calls.filter((c) => c.replica === 'survivor')).toHaveLength(1);
      expect(chat.calls.filter((c) => c.event === 'lost-1' && c.method === 'post')).toHaveLength(1);
    } finally {
      doomed.kill('SIGKILL');
      survivor.kill();
      await Promise.all([doomed.exited, survivor.exited]);
      await chat.close();
    }
  }, 120_000);
});
