import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot } from '../../src/app/assemble.js';
import type { Surface } from '../../src/bot/conversation/ports.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log/logger.js';
import { instrumentConversation } from '../../src/ops/instrument.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

let server: Awaited<ReturnType<typeof startX224Server>>;
beforeAll(async () => {
  server = await startX224Server(CONFIRM.nla);
});
afterAll(() => server.close());

test('each message is logged with its triageId and counted by outcome; rate-limit refusals are counted by scope', async () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const config = configSchema.parse({
    probes: { rdpPorts: [server.port] },
    rateLimits: { perUser: { probesPerMinute: 1 } },
  });
  const bot = assembleBot({ config });
  const conversation = instrumentConversation(bot.conversation, {
    logger: createLogger({ destination }),
    metrics,
  });
  const surface: Surface = { minUpdateIntervalMs: 0, post: async () => {}, update: async () => {} };
  const say = (id: string, text: string) =>
    conversation.handle(
      { platform: 'slack', id, user: 'U1', channel: 'C1', text },
      surface,
      new AbortController().signal,
    );
  try {
    await say('1', `rdp 0x904 on 127.0.0.1:${server.port}`);
    await say('2', `rdp 0x904 on 127.0.0.1:${server.port}`); // over 1 probe per minute
    await say('3', 'help');
  } finally {
    await bot.close();
  }
  const text = await metrics.render();
  expect(text).toContain('rdp_triage_triages_total{outcome="report",platform="slack"} 1');
  expect(text).toContain('rdp_triage_triages_total{outcome="rate_limited",platform="slack"} 1');
  expect(text).toContain('rdp_triage_triages_total{outcome="answered",platform="slack"} 1');
  expect(text).toContain('rdp_triage_rate_limit_refusals_total{scope="user"} 1');
  expect(text).toMatch(/rdp_triage_probe_duration_seconds_count\{probe="tcp",jump="direct",status="ok"\} 1/);
  expect(text).toContain('rdp_triage_triages_in_flight 0');

  const finished = lines.filter((line) => line.msg === 'triage finished');
  expect(finished.map((line) => line.outcome)).toEqual(['report', 'rate_limited', 'answered']);
  const started = lines.filter((line) => line.msg === 'triage started');
  expect(new Set(started.map((line) => line.triageId)).size).toBe(3);
  for (const line of finished) expect(started.map((s) => s.triageId)).toContain(line.triageId);
  // The user's words are not logged, only their length.
  expect(JSON.stringify(lines)).not.toContain('rdp 0x904 on');
});
