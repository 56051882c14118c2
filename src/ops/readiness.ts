import { connect } from 'node:net';
import type { CheckResult, ReadinessCheck } from './health-server.js';
import type { InFlight } from './in-flight.js';

/** Not ready once shutdown started: the load balancer stops sending work before the drain ends. */
export function acceptingCheck(inFlight: Pick<InFlight, 'accepting'>): ReadinessCheck {
  return {
    name: 'accepting',
    check: async () => (inFlight.accepting ? { ok: true } : { ok: false, detail: 'shutting down' }),
  };
}

/**
 * A jump answers when its SSH server sends its identification line (`SSH-2.0-…`, RFC 4253 §4.2)
 * on a fresh TCP connection. This does not authenticate (the pool does that lazily); it tells an
 * operator that the path to the jump is up.
 */
export function jumpReachableCheck(jump: { name: string; host: string; port: number }): ReadinessCheck {
  return {
    name: `jump:${jump.name}`,
    check: (signal) => readSshBanner(jump.host, jump.port, signal),
  };
}

function readSshBanner(host: string, port: number, signal: AbortSignal): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = '';
    const finish = (result: CheckResult) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, detail: `${host}:${port} sent no SSH banner in time` });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const line = received.split('\n').find((l) => l.startsWith('SSH-'));
      if (line) finish({ ok: true, detail: line.trim().slice(0, 80) });
      else if (received.length > 8192) finish({ ok: false, detail: `${host}:${port} is not an SSH server` });
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, detail: `${host}:${port}: ${error.code ?? error.message}` }),
    );
    socket.on('close', () => finish({ ok: false, detail: `${host}:${port} closed the connection` }));
  });
}

export function redisCheck(redis: { ping(): Promise<string> }): ReadinessCheck {
  return {
    name: 'redis',
    check: async () => {
      const answer = await redis.ping();
      return answer === 'PONG' ? { ok: true } : { ok: false, detail: `PING answered ${answer}` };
    },
  };
}

/** Wraps any boolean probe (Slack socket connected, HTTP receiver listening, store writable). */
export function flagCheck(
  name: string,
  read: () => boolean | Promise<boolean>,
  detail = 'not ready',
): ReadinessCheck {
  return {
    name,
    check: async () => ((await read()) ? { ok: true } : { ok: false, detail }),
  };
}
