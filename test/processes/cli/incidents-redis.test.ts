import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';

// With REDIS_URL the CLI's commands use the incidents serve's replicas keep: two users' reports
// through `triage --user` make one incident in Redis (none in the store file), `incidents` lists
// it, `monitor --once` re-probes it; a Redis that does not answer is an error that says so.

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeWithRedis('incidents in Redis through the CLI (real redis-server)', (binary) => {
  let redis: RedisServer;
  let dir = '';
  let config = '';
  let port = 0;
  beforeAll(async () => {
    redis = await startRedisServer(binary);
    dir = await mkdtemp(join(tmpdir(), 'rdp-incidents-redis-'));
    config = join(dir, 'bot.yaml');
    port = await closedPort();
    await writeFile(
      config,
      `store:\n  path: ${join(dir, 'store.sqlite')}\nprobes:\n  timeoutMs: 1500\n  rdpPorts: [3389, ${port}]\n`,
    );
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('triage --user, incidents and monitor --once share the incidents in Redis', async () => {
    const env = { REDIS_URL: redis.url };
    const message = `rdp 0x204 on 127.0.0.1:${port}`;
    const first = await runCli(['triage', '--config', config, '--user', 'U1', message], { env });
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['triage', '--config', config, '--user', 'U2', message], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Known problem INC-1');

    const listed = await runCli(['incidents', '--config', config, '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      expect.objectContaining({
        id: 'INC-1',
        target: '127.0.0.1',
        reports: 2,
        reporters: ['cli:U1', 'cli:U2'],
      }),
    ]);
    // Nothing went to the store file: without REDIS_URL it has no incident.
    const local = await runCli(['incidents', '--config', config, '--json']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout.trim()).toBe('');

    const pass = await runCli(['monitor', '--once', '--json', '--config', config], { env });
    expect(pass.code, pass.stderr).toBe(0);
    expect(JSON.parse(pass.stdout.trim())).toMatchObject({ change: 'failing', incident: { id: 'INC-1' } });
  });

  test('a Redis that does not answer is a clear error, not a hang', async () => {
    const nobody = await closedPort();
    const result = await runCli(['incidents', '--config', config], {
      env: { REDIS_URL: `redis://127.0.0.1:${nobody}` },
      timeoutMs: 30_000,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\), where incidents are kept, does not answer/,
    );
  });
});
