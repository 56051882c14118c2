import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { runMonitorPass } from '../../src/app/monitor.js';
import { configSchema } from '../../src/config/schema.js';

// A monitor on a loopback port: down twice → an incident before anyone wrote; the port comes
// back → two clean re-probes resolve it. The real bot's probes, no fakes; incidents in memory
// (configSchema.parse without store.path keeps no store file).

let bot: Bot | undefined;
let server: Server | undefined;
afterAll(async () => {
  await bot?.close();
  if (server) await new Promise((resolve) => server?.close(resolve));
});

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('two failures open a monitor incident; two clean re-probes resolve it', async () => {
  const port = await freePort();
  const config = configSchema.parse({
    probes: { timeoutMs: 1500, rdpPorts: [3389, port] },
    monitors: [{ name: 'fin-rdp', host: `127.0.0.1:${port}` }],
  });
  bot = assembleBot({ config, notice: () => {} });
  const pass = () => runMonitorPass(bot as Bot, config, AbortSignal.timeout(20_000));

  expect(await pass()).toEqual([]);
  const [opened] = await pass();
  expect(opened).toMatchObject({
    change: 'opened',
    source: 'fin-rdp',
    incident: {
      id: 'INC-1',
      target: '127.0.0.1',
      cause: 'TCP_REFUSED',
      state: 'open',
      reporters: ['monitor:fin-rdp'],
    },
  });

  // Something listens again: the refused connection is gone (whatever it answers is another question).
  server = createServer((socket) => socket.destroy());
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const first = (await pass()).find(
    (change) => change.incident?.id === 'INC-1' && change.change !== 'attached',
  );
  expect(first).toMatchObject({ change: 'green' });
  const second = (await pass()).find(
    (change) => change.incident?.id === 'INC-1' && change.change !== 'attached',
  );
  expect(second).toMatchObject({ change: 'resolved', incident: { state: 'resolved' } });
  // INC-1 is resolved; the listener that came back is no RDP server, and failing twice that is a
  // new outage with its own cause, not INC-1 reopened.
  const open = await bot.incidents.list();
  expect(open.map((incident) => incident.id)).not.toContain('INC-1');
  expect(open.every((incident) => incident.cause !== 'TCP_REFUSED')).toBe(true);
  expect(await bot.incidents.list({ all: true })).toContainEqual(
    expect.objectContaining({ id: 'INC-1', state: 'resolved' }),
  );
}, 60_000);
