// npm run bench:scale — triages per second with 1 and with 2 bot processes, both with 2 zone
// workers, on one real redis-server; everything on loopback. Each event names a host behind the
// zone, so every triage goes bot → Redis → worker → loopback RDP server → worker → Redis → bot.
// The two runs are printed side by side; the baseline is the 1-bot run of the same invocation.
//   BENCH_EVENTS=400 npm run bench:scale
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIRM, startX224Server } from '../test/helpers/x224-server.js';
import {
  type Child,
  sendEvents,
  startBotProcess,
  startChatApi,
  startWorkerProcess,
  writeConfig,
} from '../test/integration/ops/fixtures/processes.js';
import { findRedisServer, REDIS_MISSING, startRedisServer } from '../test/ops/redis-server.js';

const EVENTS = Math.min(5000, Math.max(20, Number(process.env.BENCH_EVENTS ?? 300)));
const HOSTS = 4;

const binary = findRedisServer();
if (!binary) {
  process.stderr.write(`${REDIS_MISSING}\n`);
  process.exit(1);
}

const redis = await startRedisServer(binary);
const servers = await Promise.all(Array.from({ length: HOSTS }, () => startX224Server(CONFIRM.tls)));
const dir = await mkdtemp(join(tmpdir(), 'rdp-triage-bench-scale-'));
const children: Child[] = [];
try {
  const config = await writeConfig(
    join(dir, 'config.yaml'),
    [
      'inventory:',
      ...servers.flatMap((server, i) => [
        `  - name: lab-${i}.site.test`,
        '    address: 127.0.0.1',
        `    port: ${server.port}`,
        '    jump: site-lab',
      ]),
      'probes:',
      '  timeoutMs: 10000',
      'rateLimits:',
      '  perUser: { probesPerMinute: 10000, concurrentTriages: 1000 }',
      '  perChannel: { probesPerMinute: 10000, concurrentTriages: 1000 }',
      'ops:',
      '  zones:',
      '    - { name: lab, jumps: [site-lab], concurrency: 50 }',
    ].join('\n'),
  );
  const env = { RDP_TRIAGE_CONFIG: config, REDIS_URL: redis.url };
  const workers = await Promise.all([startWorkerProcess('lab', env), startWorkerProcess('lab', env)]);
  children.push(...workers);

  const run = async (bots: number) => {
    const chat = await startChatApi();
    const replicas = await Promise.all(
      Array.from({ length: bots }, (_, i) =>
        startBotProcess({ ...env, LOG_LEVEL: 'warn', CHAT_API_URL: chat.url, REPLICA: `bot${i}` }),
      ),
    );
    children.push(...replicas);
    const event = (i: number, tag: string) => ({
      id: `${tag}-${i}`,
      user: `U${i % 50}`,
      channel: `C${i % 10}`,
      text: `rdp 0x904 on lab-${i % HOSTS}.site.test`,
    });
    // Warm-up: one triage per replica (first-use loading), not timed.
    for (const [i, replica] of replicas.entries())
      await sendEvents([replica.intakePort], [event(i, `warm${bots}`)]);
    await waitForReports(chat.calls, bots);
    chat.calls.length = 0;
    const started = performance.now();
    // A load balancer: event i goes to replica i mod bots, each event delivered once.
    await Promise.all(
      replicas.map((replica, r) =>
        sendEvents(
          [replica.intakePort],
          Array.from({ length: EVENTS }, (_, i) => i)
            .filter((i) => i % bots === r)
            .map((i) => event(i, `run${bots}`)),
          16,
        ),
      ),
    );
    await waitForReports(chat.calls, EVENTS);
    const seconds = (performance.now() - started) / 1000;
    const probed = chat.calls.filter(
      (call) => call.kind === 'report' && (call.findings?.length ?? 0) > 0,
    ).length;
    for (const replica of replicas) replica.kill();
    await Promise.all(replicas.map((replica) => replica.exited));
    await chat.close();
    return { bots, seconds, perSecond: EVENTS / seconds, probed };
  };

  const one = await run(1);
  const two = await run(2);
  const row = (r: typeof one) =>
    `${String(r.bots).padStart(4)} | ${String(2).padStart(7)} | ${String(EVENTS).padStart(6)} | ${r.seconds.toFixed(1).padStart(7)} | ${r.perSecond.toFixed(1).padStart(11)} | ${String(r.probed).padStart(12)}`;
  process.stdout.write(
    [
      `bench:scale — ${EVENTS} triages, each probed by a zone worker (loopback RDP servers, redis-server on loopback)`,
      'bots | workers | events | seconds | triages / s | with findings',
      row(one),
      row(two),
      `2 bots ÷ 1 bot: ${(two.perSecond / one.perSecond).toFixed(2)}×`,
      '',
    ].join('\n'),
  );
} finally {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  await Promise.all(servers.map((server) => server.close()));
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

async function waitForReports(calls: { kind: string }[], count: number): Promise<void> {
  const until = Date.now() + 600_000;
  while (calls.filter((call) => call.kind === 'report').length < count) {
    if (Date.now() > until)
      throw new Error(`only ${calls.filter((c) => c.kind === 'report').length} of ${count} triages finished`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
