import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deadlineSignal } from '../deadline-signal.js';
import type { Metrics } from './metrics.js';

/** The answer of one readiness check. `detail` is shown in the /readyz body (never a secret). */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** Something the bot needs to do its job: the Slack socket, a jump, the store, Redis. */
export interface ReadinessCheck {
  name: string;
  check(signal: AbortSignal): Promise<CheckResult>;
}

export interface HealthRoutesOptions {
  checks?: ReadinessCheck[] | (() => ReadinessCheck[]);
  metrics?: Metrics;
  /** Deadline of each readiness check: a probe that hangs counts as not ready. */
  checkTimeoutMs?: number;
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` (every readiness check passes, in parallel,
 * each within its deadline; 503 with the failing ones named otherwise), `GET /metrics`
 * (Prometheus text format). Returns false for any other request so it can share a server with
 * the Slack HTTP receiver or the Teams endpoint.
 */
export function createHealthRoutes({ checks = [], metrics, checkTimeoutMs = 2000 }: HealthRoutesOptions) {
  const listChecks = typeof checks === 'function' ? checks : () => checks;
  return async function handleHealth(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (path === '/healthz') {
      send(response, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      return true;
    }
    if (path === '/readyz') {
      const results = await runChecks(listChecks(), checkTimeoutMs);
      const ready = Object.values(results).every((result) => result.ok);
      send(response, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, checks: results }));
      return true;
    }
    if (path === '/metrics' && metrics) {
      send(response, 200, metrics.contentType, await metrics.render());
      return true;
    }
    return false;
  };
}

export async function runChecks(
  checks: ReadinessCheck[],
  timeoutMs: number,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    checks.map(async (check): Promise<[string, CheckResult]> => {
      const signal = deadlineSignal(timeoutMs);
      try {
        const result = await Promise.race([
          check.check(signal),
          once(signal, 'abort').then(() => ({ ok: false, detail: `no answer within ${timeoutMs} ms` })),
        ]);
        return [check.name, result];
      } catch (error) {
        return [check.name, { ok: false, detail: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

export interface HealthServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** A small HTTP server for the health routes alone (HEALTH_PORT), on `host` (default loopback). */
export async function startHealthServer({
  port,
  host = '127.0.0.1',
  ...routes
}: HealthRoutesOptions & { port: number; host?: string }): Promise<HealthServer> {
  const handle = createHealthRoutes(routes);
  const server = createServer((request, response) => {
    handle(request, response)
      .then((handled) => {
        if (!handled) send(response, 404, 'text/plain', 'not found\n');
      })
      .catch(() => send(response, 500, 'text/plain', 'internal error\n'));
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
