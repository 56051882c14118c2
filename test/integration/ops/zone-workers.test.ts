import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Config } from '../../../src/config/schema.js';
import { understand } from '../../../src/intents/understand.js';
import { createSilentLogger } from '../../../src/log/logger.js';
import { createZoneDispatcher, type ZoneDispatcher } from '../../../src/ops/zone-dispatcher.js';
import type { Finding } from '../../../src/report/finding.js';
import { createAllowlist } from '../../../src/triage/allowlist.js';
import { runTriage } from '../../../src/triage/run.js';
import { CONFIRM } from '../../helpers/x224-server.js';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../ops/redis-server.js';
import { type Child, startWorkerProcess, waitFor, writeConfig } from './fixtures/processes.js';

/** An RDP server that answers the X.224 request after `delayMs`: long enough to kill a worker mid-job. */
async function startSlowRdp(delayMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      const timer = setTimeout(() => socket.end(CONFIRM.nla), delayMs);
      socket.once('close', () => clearTimeout(timer));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

describeWithRedis('probe workers per zone (real redis-server, worker processes)', (binary) => {
  let redis: RedisServer;
  let rdp: { server: Server; port: number };
  let dir: string;
  let configPath: string;
  let config: Config;
  let dispatcher: ZoneDispatcher;
  const workers: Child[] = [];

  beforeAll(async () => {
    redis = await startRedisServer(binary);
    rdp = await startSlowRdp(1500);
    dir = await mkdtemp(join(tmpdir(), 'rdp-triage-workers-'));
    // srv-eu-01 sits behind "site-eu", a name that is no SSH jump: the eu worker's own network.
    configPath = await writeConfig(
      join(dir, 'config.yaml'),
      [
        'inventory:',
        '  - name: srv-eu-01',
        '    address: 127.0.0.1',
        `    port: ${rdp.port}`,
        '    jump: site-eu',
        'probes:',
        '  timeoutMs: 5000',
        'ops:',
        '  zones:',
        '    - name: eu',
        '      jumps: [site-eu]',
        '      lockMs: 1000',
        '      queueWaitMs: 5000',
      ].join('\n'),
    );
    config = await loadConfig(configPath, { env: {} });
    dispatcher = await createZoneDispatcher({
      redisUrl: redis.url,
      zones: config.ops.zones,
      logger: createSilentLogger(),
    });
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await dispatcher?.close();
    await redis?.stop();
    rdp?.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const triage = (onFinding: (finding: Finding) => void = () => {}) =>
    runTriage(
      understand('rdp 0x904 on srv-eu-01'),
      {
        config,
        allowlist: createAllowlist(config),
        connectorFor: () => {
          throw new Error('the bot itself must not probe zone targets');
        },
        routeTarget: dispatcher.routeTarget,
      },
      { signal: new AbortController().signal, onFinding },
    );

  const spawnWorker = async (env: NodeJS.ProcessEnv = {}) => {
    const worker = await startWorkerProcess('eu', {
      RDP_TRIAGE_CONFIG: configPath,
      REDIS_URL: redis.url,
      ...env,
    });
    workers.push(worker);
    return worker;
  };

  test('findings of a zone target stream back from the worker, which an operator can watch', async () => {
    const worker = await spawnWorker({ HEALTH_PORT: '0', HEALTH_HOST: '127.0.0.1' });
    try {
      const [, port] = await waitFor(worker.stdout, /"port":(\d+).*health endpoints listening/);
      const health = async (path: string) => {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          signal: AbortSignal.timeout(5000),
        });
        return { status: response.status, body: await response.text() };
      };
      const ready = await health('/readyz');
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body).checks).toEqual({ accepting: { ok: true }, redis: { ok: true } });
      const streamed: string[] = [];
      const report = await triage((finding) => streamed.push(`${finding.probe}:${finding.code}`));
      expect(report.refusals).toEqual([]);
      expect(streamed).toContain('tcp:TCP_OPEN');
      expect(streamed).toContain('rdp:RDP_NEG_NLA');
      expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['TCP_OPEN', 'RDP_NEG_NLA']));
      // The worker's own /metrics has the probe latencies, by the zone's jump.
      const metrics = (await health('/metrics')).body;
      expect(metrics).toMatch(
        /rdp_triage_probe_duration_seconds_count\{probe="rdp",jump="site-eu",status="ok"\} [1-9]/,
      );
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  }, 120_000);

  test('a worker killed mid-job: another worker of the zone completes the triage', async () => {
    const [a, b] = await Promise.all([spawnWorker(), spawnWorker()]);
    try {
      const running = triage();
      // Whichever worker took the job is killed (SIGKILL: no goodbye, its lock just stops renewing).
      const holder = await Promise.race(
        [a, b].map((worker) =>
          waitFor(worker.stdout, /"jobId":"([0-9a-f-]+)".*probe job started/).then(() => worker),
        ),
      );
      holder.kill('SIGKILL');
      const survivor = holder === a ? b : a;
      const report = await running;
      expect(report.refusals).toEqual([]);
      expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['TCP_OPEN', 'RDP_NEG_NLA']));
      // Each probe is shown once even though two workers ran it.
      expect(report.findings.filter((f) => f.probe === 'tcp')).toHaveLength(1);
      // The survivor ran it; its log line may reach the pipe after the result reached the bot.
      await waitFor(survivor.stdout, /probe job done/, 15_000);
    } finally {
      // A worker left running would take the next tests' jobs.
      for (const worker of [a, b]) worker.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 120_000);

  test('the only worker killed mid-job: the triage reports the loss instead of hanging', async () => {
    const only = await spawnWorker();
    const running = triage();
    try {
      await waitFor(only.stdout, /probe job started/);
    } finally {
      only.kill('SIGKILL');
    }
    const report = await running;
    expect(report.refusals).toEqual([
      { target: 'srv-eu-01', reason: 'the probe worker of zone eu stopped answering; run again' },
    ]);
  }, 120_000);

  test('no worker running for the zone: said so after the queue wait', async () => {
    const report = await triage();
    expect(report.refusals).toEqual([
      { target: 'srv-eu-01', reason: 'no probe worker for zone eu is running; run again later' },
    ]);
    expect(report.findings).toEqual([]);
  }, 60_000);
});
