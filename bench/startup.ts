/**
 * `npm run bench:startup` — how fast the CLI starts (issue 21). Runs each command 20 times, one
 * after another, and prints the median wall time, and its ratio to `node -e 0` on this machine.
 * Bars: `classify` ≤ 4× `node -e 0`; `serve` ready (GET /readyz answers 200) ≤ 1.5 s.
 *
 * `serve` runs the Teams surface alone (TEAMS_ENABLED=true, no app id: loopback, no
 * authentication) with its health port on a free loopback port; nothing leaves the machine.
 * The npm script builds dist/ first: this measures what ships. BENCH_RUNS overrides the 20.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CLASSIFY_RATIO_BAR = 4;
const SERVE_READY_BAR_MS = 1500;
const BIN = fileURLToPath(new URL('../bin/rdp-triage.js', import.meta.url));

const commands: { label: string; args: string[] }[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'classify "rdp 0x904 on srv-fin-02"', args: [BIN, 'classify', 'rdp 0x904 on srv-fin-02'] },
  { label: 'kb lookup 0x904', args: [BIN, 'kb', 'lookup', '0x904'] },
  { label: '--help', args: [BIN, '--help'] },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function timeCommand(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no loopback port');
  return address.port;
}

/** Spawn `serve`, poll /readyz every 10 ms (at most 10 s), return the time to the first 200. */
async function serveReadyMs(): Promise<number> {
  const [healthPort, teamsPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TEAMS_ENABLED: 'true',
      TEAMS_PORT: String(teamsPort),
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  try {
    const deadline = started + 10_000;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${healthPort}/readyz`, {
        signal: AbortSignal.timeout(500),
      }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`serve was not ready within 10 s: ${stderr}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const medians = new Map<string, number>();
for (const { label, args } of commands) {
  timeCommand(args); // one warm-up run: the first read of dist/ from disk is not start-up
  const times = Array.from({ length: RUNS }, () => timeCommand(args));
  medians.set(label, median(times));
}
const baseline = medians.get('node -e 0') ?? 1;
console.log(`start-up, median of ${RUNS} runs (Node ${process.version}):`);
for (const [label, ms] of medians)
  console.log(
    `  ${label.padEnd(36)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / baseline).toFixed(1).padStart(5)}× node -e 0`,
  );
const classifyRatio = (medians.get(commands[1]?.label ?? '') ?? 0) / baseline;
const serveTimes: number[] = [];
for (let i = 0; i < Math.min(RUNS, 5); i++) serveTimes.push(await serveReadyMs());
const serveMs = median(serveTimes);
console.log(
  `  ${'serve: /readyz answers'.padEnd(36)} ${serveMs.toFixed(0).padStart(5)} ms  (median of ${serveTimes.length})`,
);
const classifyOk = classifyRatio <= CLASSIFY_RATIO_BAR;
const serveOk = serveMs <= SERVE_READY_BAR_MS;
console.log(
  `classify ${classifyRatio.toFixed(1)}× node -e 0 (bar ≤ ${CLASSIFY_RATIO_BAR}×) ${classifyOk ? 'PASS' : 'FAIL'}; serve ready ${serveMs.toFixed(0)} ms (bar ≤ ${SERVE_READY_BAR_MS} ms) ${serveOk ? 'PASS' : 'FAIL'}`,
);
if (!classifyOk || !serveOk) process.exitCode = 1;
