import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import type { Surface } from '../../src/bot/conversation/ports.js';
import { configSchema } from '../../src/config/schema.js';
import { understand } from '../../src/intents/understand.js';
import { createSilentLogger } from '../../src/log/logger.js';
import { createInFlight, INTERRUPTED_TEXT, RESTARTING_TEXT } from '../../src/ops/in-flight.js';
import { createShutdown } from '../../src/ops/shutdown.js';
import { createDirectConnector } from '../../src/probes/direct-connector.js';
import type { Reply } from '../../src/report/reply.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { runTriage } from '../../src/triage/run.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

type Server = Awaited<ReturnType<typeof startX224Server>>;

/** One chat message as the user sees it: the first post, then every edit of it. */
function recordingSurface() {
  const shown: Reply[] = [];
  const surface: Surface = {
    minUpdateIntervalMs: 0,
    post: async (reply) => {
      shown.push(reply);
    },
    update: async (reply) => {
      shown.push(reply);
    },
  };
  return { surface, shown, last: () => shown.at(-1) };
}

describe('graceful drain of running triages', () => {
  let answering: Server;
  let hung: Server;
  beforeAll(async () => {
    answering = await startX224Server(CONFIRM.nla);
    hung = await startX224Server(null);
  });
  afterAll(async () => {
    await answering.close();
    await hung.close();
  });

  const conversationFor = (timeoutMs: number) => {
    const config = configSchema.parse({
      probes: { timeoutMs, rdpPorts: [answering.port, hung.port] },
      rateLimits: { perUser: { concurrentTriages: 100 }, perChannel: { concurrentTriages: 100 } },
    });
    const allowlist = createAllowlist(config);
    const direct = createDirectConnector();
    return createConversation({
      understand,
      triage: (understanding, options) =>
        runTriage(understanding, { config, allowlist, connectorFor: () => direct }, options),
    });
  };

  test('finished triages keep their report, hung ones are told to run again, new ones are turned away', async () => {
    const inFlight = createInFlight();
    const conversation = inFlight.wrap(conversationFor(30_000));
    const messages = Array.from({ length: 10 }, (_, i) => {
      const port = i % 2 === 0 ? answering.port : hung.port;
      const view = recordingSurface();
      const done = conversation.handle(
        {
          platform: 'slack',
          id: `e${i}`,
          user: `U${i}`,
          channel: 'C1',
          text: `rdp 0x904 on 127.0.0.1:${port}`,
        },
        view.surface,
        new AbortController().signal,
      );
      return { port, view, done };
    });
    await expect.poll(() => inFlight.size).toBe(10);

    // Answering servers finish inside the grace time (a busy CI machine included); hung ones would
    // take the 30 s probe deadline.
    const result = await inFlight.drain({ deadlineMs: 5000 });
    expect(result).toEqual({ finished: 5, interrupted: 5 });
    for (const { port, view, done } of messages) {
      await done;
      if (port === answering.port) {
        expect(view.last()?.kind).toBe('report');
      } else {
        // The interrupted text is the last thing on the message, even after the triage unwound.
        expect(view.last()).toEqual({ kind: 'text', text: INTERRUPTED_TEXT });
        expect(view.shown[0]?.kind).toBe('progress');
      }
    }
    expect(inFlight.size).toBe(0);

    const late = recordingSurface();
    await conversation.handle(
      {
        platform: 'slack',
        id: 'late',
        user: 'U',
        channel: 'C1',
        text: `rdp 0x904 on 127.0.0.1:${answering.port}`,
      },
      late.surface,
      new AbortController().signal,
    );
    expect(late.shown).toEqual([{ kind: 'text', text: RESTARTING_TEXT }]);
  }, 30_000);

  test('shutdown stops intake first, drains, then releases in order; exit code 0', async () => {
    const inFlight = createInFlight();
    const conversation = inFlight.wrap(conversationFor(10_000));
    const events: string[] = [];
    const view = recordingSurface();
    const done = conversation.handle(
      { platform: 'teams', id: 'x', user: 'U', channel: 'C', text: `rdp 0x904 on 127.0.0.1:${hung.port}` },
      view.surface,
      new AbortController().signal,
    );
    await expect.poll(() => inFlight.size).toBe(1);
    const shutdown = createShutdown({
      logger: createSilentLogger(),
      inFlight,
      graceMs: 200,
      stopIntake: [
        { name: 'receiver', run: () => void events.push(`stop intake (accepting=${inFlight.accepting})`) },
      ],
      release: [
        { name: 'pool', run: () => void events.push(`close pools (running=${inFlight.size})`) },
        { name: 'store', run: async () => void events.push('flush store') },
      ],
    });
    const code = await shutdown.run('SIGTERM');
    expect(code).toBe(0);
    expect(await shutdown.run('again')).toBe(0);
    await done;
    expect(events).toEqual(['stop intake (accepting=false)', 'close pools (running=0)', 'flush store']);
    expect(view.last()).toEqual({ kind: 'text', text: INTERRUPTED_TEXT });
  });

  test('a release step that fails or hangs makes the exit code 1 but does not stop the others', async () => {
    const inFlight = createInFlight();
    const released: string[] = [];
    const shutdown = createShutdown({
      logger: createSilentLogger(),
      inFlight,
      graceMs: 0,
      stepTimeoutMs: 100,
      release: [
        { name: 'hangs', run: () => new Promise(() => {}) },
        {
          name: 'throws',
          run: () => {
            throw new Error('disk full');
          },
        },
        { name: 'store', run: () => void released.push('store') },
      ],
    });
    expect(await shutdown.run('SIGTERM')).toBe(1);
    expect(released).toEqual(['store']);
  });
});
