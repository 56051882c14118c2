import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphCall {
  method: string;
  /** Path and query as received, e.g. `/v1.0/users/<id>/transitiveMemberOf/microsoft.graph.group?$select=id…`. */
  url: string;
  authorization: string | undefined;
  consistencyLevel: string | undefined;
  /** The form fields of a token request. */
  form?: Record<string, string>;
}

export interface FakeGraph {
  /** Graph base for the bot, ending in /v1.0/. */
  graphUrl: string;
  /** Token endpoint of `tenant` (Microsoft identity platform v2.0 path). */
  tokenUrl: (tenant: string) => string;
  calls: GraphCall[];
  /** Memberships the fake answers: user object id → group object ids. */
  members: Map<string, string[]>;
  /** Groups per page (Graph may answer fewer than $top); default: $top. */
  pageSize: number | undefined;
  /** `ok`; `forbidden`: 403 Authorization_RequestDenied (no admin consent); `hang`: never answers. */
  mode: 'ok' | 'forbidden' | 'hang';
  /** Where `@odata.nextLink` points; default this server. Set to test that the token stays home. */
  nextLinkBase: string | undefined;
  close(): Promise<void>;
}

export const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
export const CLIENT_SECRET = 'graph-test-secret~value';

/**
 * A local stand-in for login.microsoftonline.com and graph.microsoft.com speaking their wire
 * formats: the client-credentials form POST answered by `{ token_type, expires_in, access_token }`
 * (or AADSTS errors), and `transitiveMemberOf/microsoft.graph.group` pages of `{ value: [...] }`
 * with `@odata.nextLink` while more remain.
 */
export async function startFakeGraph(): Promise<FakeGraph> {
  const calls: GraphCall[] = [];
  const issued = new Set<string>();
  const hung = new Set<ServerResponse>();
  let tokens = 0;
  const server: Server = createServer((request, response) => {
    readBody(request).then(
      (raw) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const call: GraphCall = {
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          consistencyLevel: request.headers.consistencylevel as string | undefined,
        };
        calls.push(call);
        if (request.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname)) {
          call.form = Object.fromEntries(new URLSearchParams(raw));
          return answerToken(call.form, response);
        }
        if (fake.mode === 'hang') return void hung.add(response);
        if (!call.authorization || !issued.has(call.authorization.replace(/^Bearer /, '')))
          return send(response, 401, graphError('InvalidAuthenticationToken', 'Access token is empty.'));
        if (fake.mode === 'forbidden')
          return send(
            response,
            403,
            graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
          );
        const match = /^\/v1\.0\/users\/([^/]+)\/transitiveMemberOf\/microsoft\.graph\.group$/.exec(
          url.pathname,
        );
        if (request.method !== 'GET' || !match)
          return send(response, 400, graphError('BadRequest', 'Unsupported request'));
        const user = decodeURIComponent(match[1] as string);
        const groups = fake.members.get(user);
        if (!groups)
          return send(
            response,
            404,
            graphError(
              'Request_ResourceNotFound',
              `Resource '${user}' does not exist or one of its queried reference-property objects are not present.`,
            ),
          );
        const top = Number(url.searchParams.get('$top') ?? 100);
        const size = Math.min(top, fake.pageSize ?? top);
        const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
        const next = new URL(request.url ?? '/', fake.nextLinkBase ?? `http://127.0.0.1:${port}`);
        next.searchParams.set('$skiptoken', String(skip + size));
        send(response, 200, {
          '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#groups(id)',
          '@odata.count': groups.length,
          ...(skip + size < groups.length && { '@odata.nextLink': next.toString() }),
          value: groups
            .slice(skip, skip + size)
            .map((id) => ({ '@odata.type': '#microsoft.graph.group', id })),
        });
      },
      () => send(response, 400, graphError('BadRequest', 'unreadable body')),
    );
  });

  function answerToken(form: Record<string, string>, response: ServerResponse) {
    if (form.grant_type !== 'client_credentials')
      return send(
        response,
        400,
        aadError('unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.'),
      );
    if (form.client_id !== CLIENT_ID || form.client_secret !== CLIENT_SECRET)
      return send(
        response,
        401,
        aadError(
          'invalid_client',
          'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        ),
      );
    if (!form.scope?.endsWith('/.default'))
      return send(
        response,
        400,
        aadError('invalid_scope', 'AADSTS1002012: The provided value for scope is not valid.'),
      );
    tokens += 1;
    const token = `eyJ0eXAiOiJKV1QifQ.eyJhcHBpZCI6InRlc3QiLCJuIjo${tokens}fQ.c2lnbmF0dXJl`;
    issued.add(token);
    send(response, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: token,
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const fake: FakeGraph = {
    graphUrl: `http://127.0.0.1:${port}/v1.0/`,
    tokenUrl: (tenant) => `http://127.0.0.1:${port}/${tenant}/oauth2/v2.0/token`,
    calls,
    members: new Map(),
    pageSize: undefined,
    mode: 'ok',
    nextLinkBase: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hung) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

const graphError = (code: string, message: string) => ({
  error: {
    code,
    message,
    innerError: { date: '2026-11-25T20:00:00', 'request-id': 'r-1', 'client-request-id': 'c-1' },
  },
});
const aadError = (error: string, description: string) => ({
  error,
  error_description: `${description}\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2026-11-25 20:00:00Z`,
  error_codes: [Number(description.match(/AADSTS(\d+)/)?.[1] ?? 0)],
  timestamp: '2026-11-25 20:00:00Z',
  trace_id: 't-1',
  correlation_id: 'c-1',
});

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
