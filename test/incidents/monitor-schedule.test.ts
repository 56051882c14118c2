import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import pino from 'pino';
import { afterAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { createIncidentNotifier, type ShowWhere } from '../../src/app/incident-notifier.js';
import { startMonitorSchedule } from '../../src/app/monitor-schedule.js';
import { configSchema } from '../../src/config/schema.js';
import type { Reply } from '../../src/report/reply.js';

// Two users report a down loopback port; the port comes back; two scheduled passes resolve the
// incident, and each reporter is told once, where they reported; the helpdesk channel has one
// post for the incident, edited as it changes.

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
  const config = configSchema.parse({
    probes: { timeoutMs: 1500, rdpPorts: [3389, port] },
    incidents: { helpdesk: { slack: 'C0HELP' } },
  });
  const logger = pino({ level: 'silent' });
  let notifier: ReturnType<typeof createIncidentNotifier> | undefined;
  const assembled = assembleBot({
    config,
    notice: () => {},
    onIncidentChange: (change) => notifier?.onChange(change),
  });
  bot = assembled;
  notifier = createIncidentNotifier({
    posts: assembled.incidentPosts,
    helpdesk: config.incidents.helpdesk,
    reportersOf: (id) => assembled.incidents.reportersOf(id),
    logger,
    retryDelaysMs: [],
  });
  const shown: { platform: string; where: ShowWhere; reply: Reply }[] = [];
  let posts = 0;
  for (const platform of ['slack', 'teams'])
    notifier.register(platform, async (where, reply) => {
      shown.push({ platform, where, reply });
      if (where.messageRef) return where.messageRef;
      posts += 1;
      return `${platform}-message-${posts}`;
    });
  const report = async () =>
    assembled.triage(
      { ...assembled.understand(`rdp 0x204 on 127.0.0.1:${port}`), intent: 'rdp_failure' },
      { signal: AbortSignal.timeout(10_000) },
    );
  const down = await report();
  await assembled.incidents.observe(down, { platform: 'slack', user: 'U1', channel: 'C1', thread: '1.1' });
  expect(
    await assembled.incidents.observe(down, {
      platform: 'teams',
      user: 'A2',
      channel: '19:x',
      messageRef: '{"card":"A2"}',
    }),
  ).toHaveLength(1);
  await notifier.idle();
  // Opened: one post in the helpdesk channel (Slack only is configured there).
  expect(shown.map(({ platform, where }) => [platform, where])).toEqual([['slack', { channel: 'C0HELP' }]]);
  shown.length = 0;

  const schedule = startMonitorSchedule({ bot: assembled, config, logger });
  try {
    expect((await schedule.runPass()).map((change) => change.change)).toEqual(['failing']);
    server = createServer((socket) => socket.destroy());
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    expect((await schedule.runPass()).map((change) => change.change)).toEqual(['green']);
    expect((await schedule.runPass()).map((change) => change.change)).toEqual(['resolved']);
    await notifier.idle();
    const said = (reply: Reply) => (reply.kind === 'text' ? reply.text : reply.kind);
    expect(shown.map(({ platform, where, reply }) => ({ platform, where, said: said(reply) }))).toEqual([
      // The helpdesk post is edited in place, never posted twice.
      { platform: 'slack', where: { channel: 'C0HELP', messageRef: 'slack-message-1' }, said: 'incident' },
      {
        platform: 'slack',
        where: { channel: 'C1', thread: '1.1' },
        said: expect.stringMatching(/^INC-1 is resolved/),
      },
      // Teams writes in the conversation of the bot's reply to the reporter.
      {
        platform: 'teams',
        where: { channel: '19:x', near: '{"card":"A2"}' },
        said: expect.stringMatching(/^INC-1 is resolved/),
      },
    ]);
    // Resolved is final: the next pass has nothing to re-probe and tells no one again.
    expect(await schedule.runPass()).toEqual([]);
    await notifier.idle();
    expect(shown).toHaveLength(3);
  } finally {
    await schedule.stop();
    notifier.stop();
  }
}, 60_000);
