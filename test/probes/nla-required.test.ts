import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import type { Connector } from '../../src/probes/connector.js';
import { createDirectConnector } from '../../src/probes/direct-connector.js';
import { probeNlaRequired } from '../../src/probes/nla-required.js';
import { PROTOCOL } from '../../src/probes/x224.js';
import {
  CONFIRM,
  nlaServer,
  startX224Server,
  type X224Answer,
  type X224Responder,
} from '../helpers/x224-server.js';

// The TLS-only negotiation against a loopback server that answers with real server bytes.
const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function check(answer: X224Answer | X224Responder, deadlineMs = 3000) {
  const server = await startX224Server(answer);
  servers.push(server);
  const finding = await probeNlaRequired(
    { host: '127.0.0.1', port: server.port, displayName: 'srv-fin-02' },
    { connector: createDirectConnector(), signal: AbortSignal.timeout(deadlineMs) },
  );
  return { finding, requests: server.requests };
}

describe('probeNlaRequired', () => {
  test.for([
    {
      server: 'NLA required (freerdp-shadow /sec:nla): HYBRID_REQUIRED_BY_SERVER',
      answer: nlaServer('required'),
      want: { status: 'ok', code: 'RDP_NLA_REQUIRED', detail: { failureCode: 5, offered: 'TLS only' } },
      says: /requires Network Level Authentication/,
    },
    {
      server: 'NLA optional: TLS selected',
      answer: nlaServer('optional'),
      want: { status: 'ok', code: 'RDP_NLA_OPTIONAL', detail: { selectedProtocol: PROTOCOL.SSL } },
      says: /does not require Network Level Authentication.*with TLS/,
    },
    {
      server: 'NLA optional: standard RDP security selected (xrdp-style RSP RDP)',
      answer: Buffer.from('030000130ed000001234000201080000000000', 'hex'),
      want: { status: 'ok', code: 'RDP_NLA_OPTIONAL', detail: { selectedProtocol: PROTOCOL.RDP } },
      says: /standard RDP security/,
    },
    {
      server: 'a server that selects CredSSP even for a TLS-only offer (spec violation)',
      answer: CONFIRM.nla,
      want: { status: 'skipped', code: 'RDP_NLA_UNKNOWN', detail: { answer: 'RDP_NEG_NLA' } },
      says: /Could not tell.*selected CredSSP although only TLS was offered/,
    },
    {
      server: 'an answer that says nothing about NLA (SSL_CERT_NOT_ON_SERVER)',
      answer: Buffer.from('030000130ed000000000000300080003000000', 'hex'),
      want: {
        status: 'skipped',
        code: 'RDP_NLA_UNKNOWN',
        detail: { answer: 'RDP_NEG_FAILURE_SSL_CERT_NOT_ON_SERVER' },
      },
      says: /Could not tell/,
    },
  ])('$server', async ({ answer, want, says }) => {
    const { finding, requests } = await check(answer);
    expect(finding).toMatchObject({ probe: 'rdp', ...want });
    expect(finding?.target).toMatch(/^srv-fin-02:\d+$/);
    expect(finding?.summary).toMatch(says);
    // What went on the wire: one request offering PROTOCOL_SSL and nothing else.
    expect(requests).toEqual([PROTOCOL.SSL]);
  });

  test('with `when`: connects at once, sends the offer only once it is needed', async () => {
    const server = await startX224Server(nlaServer('required'));
    servers.push(server);
    // Bytes the probe handed to its connection (counted as it writes, not when they arrive).
    let written = 0;
    const direct = createDirectConnector();
    const connector: Connector = {
      ...direct,
      open: async (host, port, signal) => {
        const stream = await direct.open(host, port, signal);
        const write = stream.write.bind(stream) as (chunk: Buffer) => boolean;
        stream.write = ((chunk: Buffer) => {
          written += chunk.length;
          return write(chunk);
        }) as typeof stream.write;
        return stream;
      },
    };
    const run = (when: Promise<boolean>) =>
      probeNlaRequired(
        { host: '127.0.0.1', port: server.port },
        { connector, signal: AbortSignal.timeout(3000), when },
      );
    let go = (_needed: boolean) => {};
    const connected = once(server.server, 'connection');
    const decision = new Promise<boolean>((resolve) => (go = resolve));
    // The barrier: the probe subscribes to `when` once its connection is open; nothing may have
    // been written by then.
    let waiting = () => {};
    const subscribed = new Promise<void>((resolve) => (waiting = resolve));
    const then = decision.then.bind(decision);
    const when = Object.assign(decision, {
      // biome-ignore lint/suspicious/noThenProperty: the barrier is the probe subscribing to `when`
      then: ((...args: Parameters<typeof then>) => {
        waiting();
        return then(...args);
      }) as typeof then,
    });
    const needed = run(when);
    await Promise.all([connected, subscribed]);
    expect(written).toBe(0);
    expect(server.requests).toEqual([]);
    go(true);
    expect(await needed).toMatchObject({ code: 'RDP_NLA_REQUIRED' });
    expect(await run(Promise.resolve(false))).toBeNull();
    expect(server.requests).toEqual([PROTOCOL.SSL]);
  });

  test('a server that never answers: unknown at the deadline, not a hang', async () => {
    const { finding } = await check(null, 200);
    expect(finding).toMatchObject({
      status: 'skipped',
      code: 'RDP_NLA_UNKNOWN',
      detail: { answer: 'RDP_TIMEOUT' },
    });
  });

  test('a closed port: unknown (the first negotiation reports the connect failure)', async () => {
    const server = await startX224Server(CONFIRM.tls);
    const { port } = server;
    await server.close();
    const finding = await probeNlaRequired(
      { host: '127.0.0.1', port },
      { connector: createDirectConnector(), signal: AbortSignal.timeout(3000) },
    );
    expect(finding).toMatchObject({
      status: 'skipped',
      code: 'RDP_NLA_UNKNOWN',
      detail: { answer: 'RDP_NOT_CONNECTED' },
    });
  });
});
