import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the bot made to the Bot Connector REST API. */
export interface ConnectorCall {
  method: string;
  /** Decoded path, e.g. `/v3/conversations/a:1/activities/msg-1`. */
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: activities are open JSON.
  body: any;
  authorization: string | undefined;
}

export interface FakeConnector {
  /** serviceUrl to put into activities (ends with `/`, as the Bot Connector's do). */
  url: string;
  calls: ConnectorCall[];
  /** Serves `bytes` on GET `path` (an attachment under /v3/attachments), after `delayMs`. */
  serveFile(path: string, bytes: Buffer, delayMs?: number): void;
  /** Answers the next `count` requests with `method` by `status` (e.g. 429 + Retry-After) instead. */
  failNext(method: string, status: number, headers?: Record<string, string>, count?: number): void;
  /** Resolves once `predicate` holds for the calls so far; rejects after `ms`. */
  waitFor(predicate: (calls: ConnectorCall[]) => boolean, ms?: number): Promise<ConnectorCall[]>;
  close(): Promise<void>;
}

/**
 * A local server speaking the Bot Connector REST API (v3): send to / reply in a conversation
 * answers `{ id }` with a fresh activity id, update answers `{ id }` of the updated activity.
 * It stands where smba.trafficmanager.net is in production, so botbuilder's real HTTP client runs.
 */
export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  let counter = 0;
  const files = new Map<string, { bytes: Buffer; delayMs: number }>();
  const failures: { method: string; status: number; headers: Record<string, string> }[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      calls.push({
        method: req.method ?? '',
        path,
        body: raw ? JSON.parse(raw) : undefined,
        authorization: req.headers.authorization,
      });
      for (const wake of waiters) wake();
      const failure = failures.findIndex((f) => f.method === req.method);
      if (failure !== -1) {
        const [{ status, headers }] = failures.splice(failure, 1) as [(typeof failures)[number]];
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        return res.end(JSON.stringify({ error: { code: 'Throttled', message: `status ${status}` } }));
      }
      const file = req.method === 'GET' ? files.get(path) : undefined;
      if (file) {
        setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(file.bytes), file.delayMs);
        return;
      }
      const update = path.match(/^\/v3\/conversations\/[^/]+\/activities\/([^/]+)$/);
      if (req.method === 'PUT' && update) return json(res, 200, { id: update[1] });
      if (req.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(path)) {
        counter += 1;
        return json(res, 200, { id: `act-${counter}` });
      }
      return json(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${path}` } });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    serveFile(path, bytes, delayMs = 0) {
      files.set(path, { bytes, delayMs });
    },
    failNext(method, status, headers = {}, count = 1) {
      for (let i = 0; i < count; i++) failures.push({ method, status, headers });
    },
    waitFor(predicate, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(calls)) return;
          cleanup();
          resolve(calls);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `connector calls did not arrive in ${ms} ms: ${JSON.stringify(calls.map((c) => `${c.method} ${c.path}`))}`,
            ),
          );
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Every text shown on an Adaptive Card (TextBlock, TextRun, FactSet), in order. */
// biome-ignore lint/suspicious/noExplicitAny: walks open JSON.
export function cardTexts(node: any): string[] {
  if (Array.isArray(node)) return node.flatMap(cardTexts);
  if (!node || typeof node !== 'object') return [];
  const own: string[] = [];
  if ((node.type === 'TextBlock' || node.type === 'TextRun') && typeof node.text === 'string')
    own.push(node.text);
  if (node.type === 'FactSet') for (const fact of node.facts ?? []) own.push(`${fact.title}: ${fact.value}`);
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, value]) => (key === 'text' ? [] : cardTexts(value))),
  ];
}

/** The Adaptive Card of a message activity. */
// biome-ignore lint/suspicious/noExplicitAny: open JSON.
export function cardOf(activity: any): any {
  const attachment = activity?.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
    throw new Error(`not an Adaptive Card message: ${JSON.stringify(activity).slice(0, 200)}`);
  return attachment.content;
}

/** All actions anywhere on a card (including ActionSets and ShowCards). */
// biome-ignore lint/suspicious/noExplicitAny: open JSON.
export function cardActions(node: any): any[] {
  if (Array.isArray(node)) return node.flatMap(cardActions);
  if (!node || typeof node !== 'object') return [];
  const own = typeof node.type === 'string' && node.type.startsWith('Action.') ? [node] : [];
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, value]) => (key === 'fallback' ? [] : cardActions(value))),
  ];
}

/** The id the local Bot Connector gave a POSTed activity (it numbers them act-1, act-2, … in order). */
export function postedActivityId(
  connector: Pick<FakeConnector, 'calls'>,
  call: ConnectorCall | undefined,
): string {
  const posted = connector.calls.filter(
    (c) => c.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(c.path),
  );
  const index = call ? posted.indexOf(call) : -1;
  if (index === -1) throw new Error('not a posted activity');
  return `act-${index + 1}`;
}
