import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, test } from 'vitest';
import { type HealthServer, startHealthServer } from '../../src/ops/health-server.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { flagCheck, jumpReachableCheck } from '../../src/ops/readiness.js';
import type { Report } from '../../src/report/report.js';

/** A loopback listener that greets like sshd (RFC 4253 §4.2 identification line). */
async function startSshGreeter(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
  });

const get = async (port: number, path: string) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

const report = (overrides: Partial<Report> = {}): Report => ({
  understanding: {
    intent: 'rdp_failure',
    confidence: 0.9,
    codes: [],
    hosts: [],
    gateway: null,
    symptoms: [],
  },
  findings: [
    { probe: 'tcp', target: '127.0.0.1:3389', status: 'ok', code: 'TCP_OPEN', summary: 'open', ms: 12 },
    {
      probe: 'rdp',
      target: '127.0.0.1:3389',
      status: 'timeout',
      code: 'RDP_TIMEOUT',
      summary: 'silent',
      ms: 4000,
    },
  ],
  fixes: [],
  refusals: [],
  startedAt: '2026-11-25T00:00:00.000Z',
  ms: 4001,
  ...overrides,
});

describe('health server', () => {
  let health: HealthServer | undefined;
  let greeter: Server | undefined;
  afterEach(async () => {
    await health?.close();
    if (greeter?.listening) await closeServer(greeter);
  });

  test('/metrics is valid Prometheus text with the triage, probe, classifier, API, rate-limit and pool series', async () => {
    const metrics = createMetrics();
    metrics.triage('report', 'slack');
    metrics.triage('report', 'slack');
    metrics.triage('rate_limited', 'teams');
    metrics.report(report(), (finding) => (finding.probe === 'tcp' ? 'jump-eu' : 'direct'));
    metrics.classifier(report().understanding);
    metrics.apiError('slack', 'chat.update', 'ratelimited');
    metrics.rateLimitRefusal('user');
    metrics.observePools(() => [{ jump: 'jump-eu', state: 'open', connections: 1 }]);
    health = await startHealthServer({ port: 0, metrics });

    const { status, type, body } = await get(health.port, '/metrics');
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    const families = new Map(parsePrometheusTextFormat(body).map((family) => [family.name, family]));
    const triages = families.get('rdp_triage_triages_total');
    expect(triages?.type).toBe('COUNTER');
    expect(triages?.metrics).toContainEqual({ value: '2', labels: { outcome: 'report', platform: 'slack' } });
    expect(triages?.metrics).toContainEqual({
      value: '1',
      labels: { outcome: 'rate_limited', platform: 'teams' },
    });
    const probes = families.get('rdp_triage_probe_duration_seconds');
    expect(probes?.type).toBe('HISTOGRAM');
    // parse-prometheus-text-format flattens labelled histograms into one bucket map (and drops
    // their labels), so the per-label series are read from their exposition lines.
    expect(probes?.metrics[0]?.buckets?.['+Inf']).toBeDefined();
    const series = (name: string) =>
      body
        .split('\n')
        .filter((line) => line.startsWith(name))
        .map((line) => line.slice(name.length));
    expect(series('rdp_triage_probe_duration_seconds_count')).toEqual([
      '{probe="tcp",jump="jump-eu",status="ok"} 1',
      '{probe="rdp",jump="direct",status="timeout"} 1',
    ]);
    expect(series('rdp_triage_probe_duration_seconds_bucket')).toContain(
      '{le="2",probe="rdp",jump="direct",status="timeout"} 0',
    );
    expect(series('rdp_triage_probe_duration_seconds_bucket')).toContain(
      '{le="4",probe="rdp",jump="direct",status="timeout"} 1',
    );
    expect(series('rdp_triage_classifier_confidence_count')).toEqual(['{intent="rdp_failure"} 1']);
    expect(families.get('rdp_triage_platform_api_errors_total')?.metrics[0]).toEqual({
      value: '1',
      labels: { platform: 'slack', method: 'chat.update', reason: 'ratelimited' },
    });
    expect(families.get('rdp_triage_rate_limit_refusals_total')?.metrics[0]?.value).toBe('1');
    expect(families.get('rdp_triage_pool_connections')?.metrics[0]).toEqual({
      value: '1',
      labels: { jump: 'jump-eu', state: 'open' },
    });
    expect(families.has('rdp_triage_process_resident_memory_bytes')).toBe(true);
  });

  test('/readyz flips to 503 naming the jump when the jump goes down, and back when it returns', async () => {
    const first = await startSshGreeter();
    greeter = first.server;
    health = await startHealthServer({
      port: 0,
      checks: [jumpReachableCheck({ name: 'jump-eu', host: '127.0.0.1', port: first.port })],
    });
    const up = await get(health.port, '/readyz');
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toMatchObject({ ready: true, checks: { 'jump:jump-eu': { ok: true } } });
    expect(JSON.parse(up.body).checks['jump:jump-eu'].detail).toMatch(/^SSH-2\.0-OpenSSH/);

    await closeServer(first.server);
    const down = await get(health.port, '/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ ready: false, checks: { 'jump:jump-eu': { ok: false } } });
    expect(JSON.parse(down.body).checks['jump:jump-eu'].detail).toContain('ECONNREFUSED');
    expect((await get(health.port, '/healthz')).status).toBe(200);

    greeter = (await startSshGreeter(first.port)).server;
    expect((await get(health.port, '/readyz')).status).toBe(200);
  });

  test('a check that hangs or is not an SSH server fails within its deadline; unknown paths are 404', async () => {
    const silent = createServer((socket) => socket.on('error', () => {}));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    try {
      health = await startHealthServer({
        port: 0,
        checkTimeoutMs: 300,
        checks: [
          jumpReachableCheck({ name: 'silent', host: '127.0.0.1', port }),
          flagCheck('slack-socket', () => false, 'socket mode not connected'),
          { name: 'hangs', check: () => new Promise(() => {}) },
        ],
      });
      const started = performance.now();
      const { status, body } = await get(health.port, '/readyz');
      expect(performance.now() - started).toBeLessThan(3000);
      expect(status).toBe(503);
      expect(JSON.parse(body).checks).toEqual({
        'jump:silent': { ok: false, detail: `127.0.0.1:${port} sent no SSH banner in time` },
        'slack-socket': { ok: false, detail: 'socket mode not connected' },
        hangs: { ok: false, detail: 'no answer within 300 ms' },
      });
      expect((await get(health.port, '/nope')).status).toBe(404);
    } finally {
      silent.close();
    }
  });
});
