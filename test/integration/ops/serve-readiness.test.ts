import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningBot, runBot } from '../../../src/app/run-bot.js';
import { configSchema } from '../../../src/config/schema.js';
import { type FakeSlackApi, signSlackRequest, startFakeSlackApi } from '../../helpers/slack-api-server.js';
import { directMessage } from '../../helpers/slack-payloads.js';
import { startJump, stopJump } from '../lab/lab.js';
import { labConfigObject } from '../lab/lab-config.js';
import { describeWithLab } from '../lab/lab-suite.js';

// `serve` as operators run it, against the real lab: Slack over HTTP (local Web API), the real
// OpenSSH jump, xrdp behind it, SQLite store, health port. What the load balancer and the
// dashboard see: /readyz names the jump, the store and the Slack surface and flips when the jump
// goes down; /metrics carries the triage and its probe latencies through that jump.
const SECRET = '00112233445566778899aabbccddeeff';

describeWithLab('serve with the lab', (lab) => {
  let api: FakeSlackApi;
  let bot: RunningBot;
  let dir: string;
  beforeAll(async () => {
    api = await startFakeSlackApi();
    dir = await mkdtemp(join(tmpdir(), 'rdp-triage-serve-lab-'));
    bot = await runBot({
      config: configSchema.parse({ ...labConfigObject(lab), store: { path: join(dir, 'audit.db') } }),
      env: {
        SLACK_BOT_TOKEN: 'xoxb-serve-lab',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_PORT: '0',
        SLACK_HOST: '127.0.0.1',
        SLACK_API_URL: api.apiUrl,
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
      },
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await bot?.shutdown.run('test over');
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const health = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${bot.health?.port}${path}`, {
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.text() };
  };
  const checks = async () => JSON.parse((await health('/readyz')).body).checks;

  test('ready: the jump greets, the store takes a write, Slack listens', async () => {
    const ready = await health('/readyz');
    expect(ready.status).toBe(200);
    const all = JSON.parse(ready.body).checks;
    expect(all).toMatchObject({
      accepting: { ok: true },
      store: { ok: true },
      'surface:slack': { ok: true },
      'jump:lab-jump': { ok: true },
    });
    expect(all['jump:lab-jump'].detail).toMatch(/^SSH-2\.0-OpenSSH/);
  });

  test('a DM is probed through the jump and shows in /metrics by probe and jump', async () => {
    const slack = bot.served.surfaces.find((surface) => surface.name === 'slack')?.address ?? '';
    const body = JSON.stringify(directMessage('rdp 0x904 on rdp-ok.lab', { channel: 'D0SERVELAB' }));
    const response = await fetch(slack, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
      body,
    });
    expect(response.status).toBe(200);
    await api.waitFor(
      (calls) =>
        calls.some(
          (c) =>
            c.args.channel === 'D0SERVELAB' && JSON.stringify(c.args.blocks ?? '').includes('Triage took'),
        ),
      30_000,
    );
    const text = (await health('/metrics')).body;
    const families = parsePrometheusTextFormat(text);
    const triages = families.find((f) => f.name === 'rdp_triage_triages_total');
    expect(triages?.metrics).toContainEqual({ labels: { outcome: 'report', platform: 'slack' }, value: '1' });
    // The parser drops a labelled histogram's labels; the series are read from their lines.
    expect(text).toMatch(
      /rdp_triage_probe_duration_seconds_count\{probe="rdp",jump="lab-jump",status="ok"\} [1-9]/,
    );
    expect(text).toMatch(/rdp_triage_pool_connections\{jump="lab-jump",state="open"\} 1/);
  });

  test('/readyz turns 503 naming the jump while its sshd is down, and 200 again once it is back', async () => {
    try {
      await stopJump(lab);
      const down = await health('/readyz');
      expect(down.status).toBe(503);
      const failing = JSON.parse(down.body).checks;
      expect(failing['jump:lab-jump'].ok).toBe(false);
      expect(failing['jump:lab-jump'].detail).toContain(`${lab.jump.host}:${lab.jump.port}`);
      // Only the jump fails: the operator is pointed at the right thing.
      expect(failing['surface:slack']).toEqual({ ok: true });
      expect(failing.store).toEqual({ ok: true });
    } finally {
      await startJump(lab);
    }
    await expect.poll(async () => (await checks())['jump:lab-jump'].ok, { timeout: 20_000 }).toBe(true);
    expect((await health('/readyz')).status).toBe(200);
  });
});
