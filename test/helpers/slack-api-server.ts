import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for.js';

/** One Web API call as Slack would receive it. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  authorization: string | undefined;
  at: number;
  /** What the fake answered. */
  response?: unknown;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * A local stand-in for https://slack.com/api/ speaking its wire format: form-encoded (or JSON)
 * POSTs to /api/<method>, JSON answers `{ ok, … }`, `blocks` and other structures as JSON strings
 * inside the form. `response_url`s point at /respond/<id>.
 */
export interface FakeSlackApi {
  /** Base for Bolt's `clientOptions.slackApiUrl` (ends in /api/). */
  apiUrl: string;
  /** Base for response_url values in test payloads. */
  respondUrl: (id: string) => string;
  calls: ApiCall[];
  /** Replaces the default answer for a method; return undefined to fall back to it. */
  override(method: string, answer: (call: ApiCall, count: number) => FakeAnswer | undefined): void;
  waitFor(predicate: (calls: ApiCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const BOT_USER_ID = 'UBOT0001';
export const TEAM_ID = 'T0TEST01';

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: ApiCall[] = [];
  const overrides = new Map<string, (call: ApiCall, count: number) => FakeAnswer | undefined>();
  let tsCounter = 0;
  const server: Server = createServer((request, response) => {
    readBody(request)
      .then((raw) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const method = url.pathname.startsWith('/respond/')
          ? 'response_url'
          : url.pathname.replace(/^\/api\//, '');
        const call: ApiCall = {
          method,
          args: parseArgs(raw, request.headers['content-type'] ?? ''),
          authorization: request.headers.authorization,
          at: Date.now(),
        };
        calls.push(call);
        const count = calls.filter((c) => c.method === method).length;
        const answer =
          overrides.get(method)?.(call, count) ??
          defaultAnswer(call, () => {
            tsCounter += 1;
            return `1700000000.${String(tsCounter).padStart(6, '0')}`;
          });
        call.response = answer.body;
        send(response, answer);
      })
      .catch(() => send(response, { status: 400, body: { ok: false, error: 'invalid_form_data' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    respondUrl: (id) => `http://127.0.0.1:${port}/respond/${id}`,
    calls,
    override: (method, answer) => overrides.set(method, answer),
    async waitFor(predicate, timeoutMs = 10_000) {
      await waitFor(() => predicate(calls), { timeoutMs, what: 'the awaited Slack API calls' }).catch(
        (error: Error) => {
          throw new Error(`${error.message}; calls: ${calls.map((c) => c.method).join(', ')}`);
        },
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function defaultAnswer(call: ApiCall, nextTs: () => string): FakeAnswer {
  switch (call.method) {
    case 'auth.test':
      return {
        body: {
          ok: true,
          url: 'https://test.slack.com/',
          team: 'Test',
          user: 'rdp-triage',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: 'BBOT0001',
        },
      };
    case 'chat.postMessage': {
      const ts = nextTs();
      return { body: { ok: true, channel: call.args.channel, ts, message: { ...call.args, ts } } };
    }
    case 'chat.update':
      return { body: { ok: true, channel: call.args.channel, ts: call.args.ts, text: call.args.text } };
    case 'response_url':
      return { body: { ok: true } };
    default:
      return { body: { ok: false, error: 'unknown_method' } };
  }
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The Web API client sends structured arguments (blocks, attachments) as JSON strings.
    args[key] = key === 'blocks' || key === 'attachments' ? JSON.parse(value) : value;
  }
  return args;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, { status = 200, headers = {}, body }: FakeAnswer): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>"). */
export function signSlackRequest(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}
