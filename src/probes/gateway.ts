import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Finding } from '../report/finding.js';
import { certificateSummary, describePeer, judgeCertificate } from './certificate.js';
import { ConnectFailure, type Connector } from './connector.js';
import { findingFinisher } from './finish-finding.js';
import { describeTarget, type ProbeTarget } from './probe-target.js';
import { sendAndRead } from './send-and-read.js';
import { startTls } from './start-tls.js';

const MAX_HEAD_BYTES = 16 * 1024;

/**
 * The first request of RD Gateway's HTTP transport (MS-TSGU 2.2.3.2 / FreeRDP rdg.c): the OUT
 * channel. Unauthenticated, a real gateway answers 401 with its auth schemes; nothing secret is sent.
 */
export function rdgOutDataRequest(host: string, connectionId = randomUUID()): string {
  return [
    'RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1',
    `Host: ${host}`,
    'Accept: */*',
    'Cache-Control: no-cache',
    'Pragma: no-cache',
    'Connection: Keep-Alive',
    'Content-Length: 0',
    'User-Agent: MS-RDGateway/1.0',
    `RDG-Connection-Id: {${connectionId}}`,
    '',
    '',
  ].join('\r\n');
}

export interface HttpHead {
  status: number;
  reason: string;
  headers: [string, string][];
}

export function parseHttpHead(text: string): HttpHead | null {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) return null;
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(match[1]), reason: match[2] ?? '', headers };
}

export type GatewayVerdict = Pick<Finding, 'status' | 'code'> & { say: string };

/** What answered on the gateway's HTTPS port. */
export function classifyGatewayAnswer(head: HttpHead | null, gatewayHost: string): GatewayVerdict {
  if (!head) return { status: 'fail', code: 'GATEWAY_NOT_RDG', say: 'answered TLS but not HTTP' };
  const values = (name: string) => head.headers.filter(([key]) => key === name).map(([, value]) => value);
  const challenges = values('www-authenticate').map((v) => v.split(/\s/)[0] ?? '');
  const location = values('location')[0];
  const proxyMarks = [
    ...values('via').map((v) => `Via: ${v}`),
    ...values('proxy-authenticate').map((v) => `Proxy-Authenticate: ${v}`),
    ...(head.headers.some(
      ([key]) => key.startsWith('x-squid') || key === 'x-bluecoat-via' || key === 'x-zscaler-via',
    )
      ? ['proxy vendor header']
      : []),
  ];
  if (head.status === 407 || proxyMarks.length > 0)
    return {
      status: 'fail',
      code: 'GATEWAY_INTERCEPTED',
      say: `a proxy answered instead of the gateway (HTTP ${head.status}; ${proxyMarks.join(', ') || 'proxy authentication'})`,
    };
  if (head.status >= 300 && head.status < 400 && location && !sameHost(location, gatewayHost))
    return {
      status: 'fail',
      code: 'GATEWAY_INTERCEPTED',
      say: `redirected to ${location} (captive portal or web filter?)`,
    };
  if (head.status === 401 && challenges.some((c) => /^(negotiate|ntlm|basic|digest|bearer)$/i.test(c)))
    return {
      status: 'ok',
      code: 'GATEWAY_OK',
      say: `RD Gateway answered with an authentication challenge (${challenges.join(', ')})`,
    };
  if (head.status >= 500)
    return {
      status: 'fail',
      code: 'GATEWAY_HTTP_ERROR',
      say: `HTTP ${head.status} ${head.reason} (gateway service down or overloaded?)`,
    };
  const server = values('server')[0];
  return {
    status: 'fail',
    code: 'GATEWAY_NOT_RDG',
    say: `HTTP ${head.status} ${head.reason}${server ? ` from ${server}` : ''}: not an RD Gateway (no RDG auth challenge)`,
  };
}

function sameHost(location: string, host: string): boolean {
  try {
    return new URL(location, `https://${host}/`).hostname.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * RD Gateway over HTTPS: TLS, then the RDG OUT request. The certificate is judged from the same
 * connection and handed to `onCertificate` as a `tls` Finding as soon as the handshake is done:
 * one connection for both (single-threaded TLS servers serve one client at a time).
 */
export async function probeGateway(
  target: ProbeTarget,
  {
    connector,
    signal,
    extraCa = [],
    expiringSoonDays = 30,
    onCertificate,
    clock = () => new Date(),
    now = performance.now.bind(performance),
  }: {
    connector: Connector;
    signal: AbortSignal;
    extraCa?: string[];
    expiringSoonDays?: number;
    onCertificate?: (finding: Finding) => void;
    clock?: () => Date;
    now?: () => number;
  },
): Promise<Finding> {
  const started = now();
  const where = describeTarget(target);
  const name = target.displayName ?? target.host;
  const finish = findingFinisher('gateway', where, now, started);
  const tlsFinding = findingFinisher('tls', where, now, started);
  let stream: Duplex;
  try {
    stream = await connector.open(target.host, target.port, signal);
  } catch (error) {
    const kind = error instanceof ConnectFailure ? error.kind : 'other';
    const timedOut = kind === 'timeout';
    const why = `TCP connect failed (${kind})`;
    onCertificate?.(
      tlsFinding(
        timedOut ? 'timeout' : 'skipped',
        timedOut ? 'TLS_TIMEOUT' : 'TLS_NOT_CONNECTED',
        `TLS on ${where} not checked: ${why}`,
        {
          stage: 'connect',
        },
      ),
    );
    return finish(
      timedOut ? 'timeout' : 'skipped',
      timedOut ? 'GATEWAY_TIMEOUT' : 'GATEWAY_NOT_CONNECTED',
      `Gateway ${where} not checked: ${why}`,
      { stage: 'connect' },
    );
  }
  let socket: TLSSocket | null = null;
  let stage: 'tls' | 'http' = 'tls';
  try {
    try {
      socket = await startTls(stream, { name, extraCa, signal });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      onCertificate?.(
        signal.aborted
          ? tlsFinding(
              'timeout',
              'TLS_TIMEOUT',
              `TLS on ${where}: no answer before the deadline (stage: tls)`,
              { stage },
            )
          : tlsFinding('fail', 'TLS_HANDSHAKE_FAILED', `TLS on ${where}: handshake failed (${message})`, {
              stage,
              error: message,
            }),
      );
      throw error;
    }
    const today = clock();
    const cert = describePeer(socket, name, today);
    if (onCertificate) {
      const verdict = judgeCertificate(cert, { role: 'https', expiringSoonDays, now: today });
      onCertificate(
        tlsFinding(verdict.status, verdict.code, certificateSummary(where, cert, verdict), {
          stage,
          ...cert,
          problems: verdict.problems,
        }),
      );
    }
    stage = 'http';
    const head = parseHttpHead(await readHead(socket, rdgOutDataRequest(name), signal));
    const verdict = classifyGatewayAnswer(head, name);
    return finish(verdict.status, verdict.code, `Gateway ${where}: ${verdict.say}`, {
      stage,
      httpStatus: head?.status ?? null,
      server: head?.headers.find(([key]) => key === 'server')?.[1] ?? null,
      certificate: {
        subject: cert.subject,
        issuer: cert.issuer,
        trusted: cert.trusted,
        nameMatches: cert.nameMatches,
      },
    });
  } catch (error) {
    if (signal.aborted)
      return finish(
        'timeout',
        'GATEWAY_TIMEOUT',
        `Gateway ${where}: no answer before the deadline (stage: ${stage})`,
        {
          stage,
        },
      );
    const message = error instanceof Error ? error.message : String(error);
    if (stage === 'tls')
      return finish('fail', 'GATEWAY_NOT_CONNECTED', `Gateway ${where}: TLS handshake failed (${message})`, {
        stage,
        error: message,
      });
    return finish('fail', 'GATEWAY_NOT_RDG', `Gateway ${where}: closed without an HTTP answer (${message})`, {
      stage,
      error: message,
    });
  } finally {
    socket?.destroy();
    stream.destroy();
  }
}

/** Sends the request, collects the response head (up to the blank line, bounded). */
async function readHead(socket: TLSSocket, request: string, signal: AbortSignal): Promise<string> {
  const head = await sendAndRead(socket, request, signal, {
    complete: (received) =>
      received.includes('\r\n\r\n') || received.length >= MAX_HEAD_BYTES
        ? Math.min(received.length, MAX_HEAD_BYTES)
        : null,
    keepPartial: true,
  });
  return head.toString('latin1');
}
