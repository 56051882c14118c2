import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import pino from 'pino';
import { afterAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { startMonitorSchedule } from '../../src/app/monitor-schedule.js';
import { configSchema } from '../../src/config/schema.js';

// Two users report a down loopback port; the port comes back; two scheduled passes resolve the
// incident, and each reporter is told once, in the thread they reported in.

let bot: Bot | undefined;
let server: Server | undefined;
afterAll(async () => {
  await bot?.close();
  if (server) await new Promise((resolve) => server?.close(resolve));
});

test('a resolved incident tells every reporter once, where they reported; monitors are not told', async () => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const config = configSchema.parse({ probes: { timeoutMs: 1500, rdpPorts: [3389, port] } });
  bot = assembleBot({ config, notice: () => {} });
  const report = async () =>
    bot?.triage(
      { ...bot.understand(`rdp 0x204 on 127.0.0.1:${port}`), intent: 'rdp_failure' },
      { signal: AbortSignal.timeout(10_000) },
    );
  const down = await report();
  if (!down) throw new Error('no bot');
  bot.incidents.observe(down, { platform: 'slack', user: 'U1', channel: 'C1', thread: '1.1' });
  expect(bot.incidents.observe(down, { platform: 'teams', user: 'A2', channel: '19:x' })).toHaveLength(1);

  const told: { platform: string; where: unknown; text: string }[] = [];
  const schedule = startMonitorSchedule({
    bot,
    config,
    logger: pino({ level: 'silent' }),
    tell: async (platform, where, text) => {
      told.push({ platform, where, text });
      return true;
    },
  });
  try {
    expect((await schedule.runPass()).map((change) => change.change)).toEqual(['failing']);
    server = createServer((socket) => socket.destroy());
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    expect((await schedule.runPass()).map((change) => change.change)).toEqual(['green']);
    expect(told).toEqual([]);
    expect((await schedule.runPass()).map((change) => change.change)).toEqual(['resolved']);
    expect(told).toEqual([
      {
        platform: 'slack',
        where: { channel: 'C1', thread: '1.1' },
        text: expect.stringMatching(/^INC-1 is resolved/),
      },
      { platform: 'teams', where: { channel: '19:x' }, text: expect.stringMatching(/^INC-1 is resolved/) },
    ]);
    // Resolved is final: the next pass has nothing to re-probe and tells no one again.
    expect(await schedule.runPass()).toEqual([]);
    expect(told).toHaveLength(2);
  } finally {
    schedule.stop();
  }
}, 60_000);
