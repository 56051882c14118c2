import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { closedPort } from '../../helpers/closed-port.js';
import { runCli } from '../../helpers/run-cli.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../helpers/slack-api-server.js';

// `rdp-triage monitor --once` from cron tells Slack what changed, as serve would: a monitor's
// second failure in a row opens an incident, posted once in the helpdesk channel through the Web
// API (the local fake at SLACK_API_URL). A post Slack refuses is retried and logged, and the
// process exits only once it went out.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let dir = '';
let config = '';
let slack: FakeSlackApi;
beforeAll(async () => {
  slack = await startFakeSlackApi();
  dir = await mkdtemp(join(tmpdir(), 'rdp-monitor-cli-'));
  config = join(dir, 'bot.yaml');
  const port = await closedPort();
  await writeFile(
    config,
    [
      `store: { path: ${join(dir, 'store.sqlite')} }`,
      `probes: { timeoutMs: 1500, rdpPorts: [3389, ${port}] }`,
      'incidents: { helpdesk: { slack: C0HELPDESK } }',
      `monitors: [{ name: fin-rdp, host: "127.0.0.1:${port}" }]`,
    ].join('\n'),
  );
});
afterAll(async () => {
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const monitor = (env: NodeJS.ProcessEnv = { SLACK_BOT_TOKEN: 'xoxb-cron', SLACK_API_URL: slack.apiUrl }) =>
  runCli(['monitor', '--once', '--json', '--config', config], { env });
const chatCalls = () => slack.calls.filter((call) => call.method.startsWith('chat.'));

test('a monitor incident is posted in the helpdesk channel once; a refused post is retried before the process exits', async () => {
  const first = await monitor();
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toBe('');
  expect(chatCalls()).toEqual([]);

  // Slack refuses the first post (as during an outage of its own); the notifier's retry posts it.
  slack.override('chat.postMessage', (_call, count) =>
    count === 1 ? { body: { ok: false, error: 'internal_error' } } : undefined,
  );
  const second = await monitor();
  expect(second.code, second.stderr).toBe(0);
  expect(
    second.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  ).toEqual([
    expect.objectContaining({
      change: 'opened',
      source: 'fin-rdp',
      incident: expect.objectContaining({ id: 'INC-1' }),
    }),
  ]);
  expect(second.stderr).toContain('incident message failed; retrying');
  expect(second.stderr).not.toContain('xoxb-cron');
  const posts = chatCalls();
  expect(posts.map((call) => [call.method, call.args.channel, call.response])).toEqual([
    ['chat.postMessage', 'C0HELPDESK', { ok: false, error: 'internal_error' }],
    ['chat.postMessage', 'C0HELPDESK', expect.objectContaining({ ok: true })],
  ]);
  expect(JSON.stringify(posts[1]?.args)).toContain('INC-1');

  // Still down: nothing changed, so nothing is posted again (the post is in the store, not re-sent).
  const third = await monitor();
  expect(third.code, third.stderr).toBe(0);
  expect(chatCalls()).toHaveLength(2);
});

test('a malformed SLACK_BOT_TOKEN stops the pass before anything is probed, naming the variable', async () => {
  const bad = await monitor({ SLACK_BOT_TOKEN: 'not-a-token' });
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('SLACK_BOT_TOKEN');
  expect(bad.stdout).toBe('');
});
