import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { TriageError } from '../../errors.js';

/** What a handler answers: an HTTP status and a JSON body (none for an empty 200). */
export interface JsonAnswer {
  status: number;
  body?: unknown;
}

export interface JsonEndpointOptions {
  /** The one path served, e.g. `/api/messages`; every other path is 404. */
  path: string;
  host: string;
  port: number;
  /** Bodies past this are refused with 413 before they are parsed. */
  maxBodyBytes: number;
  /** Checked on the headers before the body is read (a missing token is refused unread). */
  admit?: (headers: IncomingHttpHeaders) => JsonAnswer | undefined;
  handle: (body: unknown, headers: IncomingHttpHeaders) => Promise<JsonAnswer>;
  log: Logger;
  /** Who listens, and the settings to change when the port is taken: `['Teams', 'set TEAMS_PORT / TEAMS_HOST']`. */
  listenHint: [who: string, fix: string];
}

export interface JsonEndpoint {
  /** `http://host:port/path` (loopback when listening on every address). */
  url: string;
  port: number;
  listening(): boolean;
  /** Stops taking requests; a stuck client is cut off after 5 s. */
  stop(): Promise<void>;
}

/**
 * One POST endpoint that takes and answers JSON: the HTTP half of a webhook-style chat surface
 * (Teams' Bot Connector, an outgoing webhook). Slow clients are bounded, bodies are capped, a
 * handler that throws answers 500 and is logged.
 */
export async function listenJson({
  path,
  host,
  port,
  maxBodyBytes,
  admit = () => undefined,
  handle,
  log,
  listenHint,
}: JsonEndpointOptions): Promise<JsonEndpoint> {
  const serve = async (req: IncomingMessage): Promise<JsonAnswer> => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path)
      return { status: 404, body: { error: `not found; the bot listens on POST ${path}` } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'use POST' } };
    const refused = admit(req.headers);
    if (refused) return refused;
    const body = await readJson(req, maxBodyBytes);
    return 'error' in body
      ? { status: body.status, body: { error: body.error } }
      : handle(body.value, req.headers);
  };
  const server = createServer((req, res) => {
    serve(req)
      .then((answer) => send(res, answer))
      .catch((error: unknown) => {
        log.error({ err: error }, 'request failed');
        if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
      });
  });
  // A webhook sender posts small bodies and waits seconds, not minutes, for the answer.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new TriageError(
      'STARTUP_INVALID',
      `${listenHint[0]} cannot listen on ${host}:${port} (${why}); ${listenHint[1]}`,
      { cause: error },
    );
  }
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${bound}${path}`,
    port: bound,
    listening: () => server.listening,
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(force);
    },
  };
}

async function readJson(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ value: unknown } | { status: number; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return { status: 413, error: 'body too large' };
    chunks.push(chunk as Buffer);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { status: 400, error: 'body is not JSON' };
  }
}

function send(res: ServerResponse, { status, body }: JsonAnswer): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(text);
}
