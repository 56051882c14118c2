import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningBot, runBot } from '../../src/app/run-bot.js';
import { configSchema } from '../../src/config/schema.js';
import { type FakeSlackApi, signSlackRequest, startFakeSlackApi } from '../helpers/slack-api-server.js';
import { slashCommand } from '../helpers/slack-payloads.js';

// `serve` as an operator runs it (runBot: ops runtime, Slack over HTTP, health port), watched
// from the outside: /readyz names the Slack surface, /metrics counts a failed Web API call.

const SECRET = 'fedcba9876543210fedcba9876543210';
let api: FakeSlackApi;
let bot: RunningBot;
let slackUrl: string;

let dir: string;
beforeAll(async () => {
  api = await startFakeSlackApi();
  dir = await mkdtemp(join(tmpdir(), 'rdp-triage-run-bot-'));
  bot = await runBot({
    config: configSchema.parse({ store: { path: join(dir, 'audit.db') } }),
    env: {
      SLACK_BOT_TOKEN: 'xoxb-run-bot-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_PORT: '0',
      SLACK_HOST: '127.0.0.1',
      SLACK_API_URL: api.apiUrl,
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
      // Teams in Bot Framework Emulator mode (no app id): loopback only, no authentication.
      TEAMS_ENABLED: 'true',
      TEAMS_PORT: '0',
    },
    logger: pino({ level: 'silent' }),
  });
  const address = bot.served.surfaces.find((surface) => surface.name === 'slack')?.address ?? '';
  slackUrl = address;
});

afterAll(async () => {
  await bot?.shutdown.run('test over');
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

const health = async (path: string) => {
  const response = await fetch(`http://127.0.0.1:${bot.health?.port}${path}`, {
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: await response.text() };
};

test('/readyz includes the Slack and Teams surfaces and the store next to the bot’s own checks', async () => {
  expect(slackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
  const ready = await health('/readyz');
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.body).checks).toMatchObject({
    accepting: { ok: true },
    store: { ok: true },
    'surface:slack': { ok: true },
    'surface:teams': { ok: true },
  });
});

test('a Web API call Slack refuses is counted in /metrics by platform, method and reason', async () => {
  api.override('chat.postMessage', (call) =>
    call.args.channel === 'C0RUNBOT1' ? { body: { ok: false, error: 'channel_not_found' } } : undefined,
  );
  const body = slashCommand('0x904 on srv-fin-02', api.respondUrl('runbot'), 'C0RUNBOT1');
  const response = await fetch(slackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) },
    body,
  });
  expect(response.status).toBe(200);
  await api.waitFor((calls) => calls.some((c) => c.method === 'response_url'));
  const metrics = parsePrometheusTextFormat((await health('/metrics')).body);
  const family = metrics.find((f) => f.name === 'rdp_triage_platform_api_errors_total');
  expect(family?.metrics).toContainEqual({
    labels: { platform: 'slack', method: 'chat.postMessage', reason: 'channel_not_found' },
    value: '1',
  });
});
