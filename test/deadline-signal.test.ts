import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deadlineSignal } from '../src/deadline-signal.js';
import { runBattery } from '../src/probes/battery.js';
import { createDirectConnector } from '../src/probes/direct-connector.js';
import type { Finding } from '../src/report/finding.js';

// Deadlines must fire even after a garbage collection: `AbortSignal.any([s, AbortSignal.timeout(ms)])`
// made inline does not on Node 20 (its timeout source is only weakly held), which let a probe
// against a silent server run for the caller's 30 s instead of its own 4 s.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('a deadline inside AbortSignal.any still fires after a GC, with a TimeoutError', async () => {
  let reason: unknown;
  (() => {
    // Nothing keeps the combined signal or the deadline but their own machinery.
    const combined = AbortSignal.any([new AbortController().signal, deadlineSignal(100)]);
    combined.addEventListener('abort', () => {
      reason = combined.reason;
    });
  })();
  gc();
  // A WeakRef's target is kept until the current job ends: one turn of the event loop, then again.
  await setImmediate();
  gc();
  await expect.poll(() => reason, { timeout: 2000, interval: 20 }).toBeInstanceOf(DOMException);
  expect((reason as DOMException).name).toBe('TimeoutError');
});

test('a pending deadline does not keep the process alive', () => {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "import('./src/deadline-signal.js').then((m) => { m.deadlineSignal(60_000); })",
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  expect(performance.now() - started).toBeLessThan(20_000);
});

test('no source file uses AbortSignal.timeout (it is the weakly held kind)', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('deadline-signal.ts')) {
        const code = readFileSync(path, 'utf8');
        if (code.includes('AbortSignal.timeout(')) offenders.push(path.slice(ROOT.length));
      }
    }
  };
  walk(join(ROOT, 'src'));
  expect(offenders).toEqual([]);
});

let silent: Server;
const sockets = new Set<Socket>();
beforeAll(async () => {
  // Accepts and never says a word: the gateway probe waits in its TLS handshake until its deadline.
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

test('a probe against a silent server ends at its own deadline even when a GC runs meanwhile', async () => {
  const { port } = silent.address() as { port: number };
  const connected = once(silent, 'connection');
  const findings: Finding[] = [];
  const started = performance.now();
  const battery = runBattery({ host: '127.0.0.1', port }, ['gateway'], {
    connector: createDirectConnector(),
    timeouts: { tcp: 400, rdp: 400, tls: 400, ntlm: 400, gateway: 400 },
    startedAt: started,
    // The caller never cancels: only the probe's own deadline can end it.
    signal: new AbortController().signal,
    emit: (finding) => findings.push(finding),
  });
  // The probe is waiting on the silent server (its TLS handshake): collect garbage then, twice.
  await connected;
  for (let i = 0; i < 2; i += 1) {
    await setImmediate();
    gc();
  }
  await battery;
  expect(performance.now() - started).toBeLessThan(3000);
  expect(findings.find((f) => f.probe === 'gateway')).toMatchObject({
    status: 'timeout',
    code: 'GATEWAY_TIMEOUT',
  });
}, 10_000);
