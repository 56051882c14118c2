import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../../src/app/assemble.js';
import { defaultConfig } from '../../../src/config/schema.js';
import { startMattermost } from './mattermost-adapter.js';

// The third surface (docs/adding-a-surface.md): one adapter file over the unchanged core, driven
// the way Mattermost drives it — outgoing-webhook POSTs in, REST API calls out, to a local API.

interface ApiCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: { channel_id?: string; root_id?: string; message?: string };
}

let api: Server;
let apiUrl: string;
const calls: ApiCall[] = [];
let bot: Bot;
let mattermost: Awaited<ReturnType<typeof startMattermost>>;

beforeAll(async () => {
  let posts = 0;
  api = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      });
      posts += req.method === 'POST' ? 1 : 0;
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: req.method === 'POST' ? `post-${posts}` : req.url?.split('/')[4] }));
    });
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
  bot = assembleBot({ config: defaultConfig(), notice: () => {} });
  mattermost = await startMattermost({
    conversation: bot.conversation,
    webhookToken: 'hook-secret',
    apiUrl,
    botToken: 'bot-token',
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await mattermost?.stop();
  await bot?.close();
  await new Promise((resolve) => api?.close(resolve));
});

const hook = (fields: Record<string, string>) =>
  fetch(mattermost.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: 'hook-secret',
      channel_id: 'town',
      user_id: 'ada',
      trigger_word: '@rdp',
      ...fields,
    }),
    signal: AbortSignal.timeout(10_000),
  });

test('a message is answered in its thread through the API: posted once, then edited into the report', async () => {
  calls.length = 0;
  const response = await hook({
    post_id: 'p1',
    text: '@rdp Error code: 0x904 Extended error code: 0x7 on srv-fin-02',
  });
  expect(response.status).toBe(200);
  await mattermost.idle();
  const [post, ...edits] = calls;
  expect(post).toMatchObject({ method: 'POST', path: '/api/v4/posts', authorization: 'Bearer bot-token' });
  expect(post?.body).toMatchObject({ channel_id: 'town', root_id: 'p1' });
  expect(edits.length).toBeGreaterThan(0);
  expect(edits.every((edit) => edit.method === 'PUT' && edit.path === '/api/v4/posts/post-1/patch')).toBe(
    true,
  );
  const final = edits.at(-1)?.body.message ?? '';
  expect(final).toContain('0x904');
  // The host is not in the allow rules: it is answered with the reason, not probed.
  expect(final).toContain('srv-fin-02: not allowed to probe');
});

test('a retried delivery of the same post is answered once (the core dedupes)', async () => {
  calls.length = 0;
  await hook({ post_id: 'p2', text: '@rdp rdp 0x204 on srv-app-01' });
  await hook({ post_id: 'p2', text: '@rdp rdp 0x204 on srv-app-01' });
  await mattermost.idle();
  expect(calls.filter((call) => call.method === 'POST')).toHaveLength(1);
});

test('a request without the webhook token is refused and nothing is posted', async () => {
  calls.length = 0;
  const response = await hook({ token: 'guess', post_id: 'p3', text: '@rdp rdp 0x904 on srv-fin-02' });
  expect(response.status).toBe(401);
  await mattermost.idle();
  expect(calls).toEqual([]);
});
