import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type NetworkProbe, runBattery } from '../../src/probes/battery.js';
import { createDirectConnector } from '../../src/probes/direct-connector.js';
import { PROTOCOL } from '../../src/probes/x224.js';
import type { Finding } from '../../src/report/finding.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  CONFIRM,
  nlaServer,
  startX224Server,
  type X224Answer,
  type X224Responder,
} from '../helpers/x224-server.js';

// The battery's "NLA required or only offered" check against loopback X.224 servers speaking the
// real bytes of xrdp and FreeRDP's shadow server (lab-notes §3).
const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const FULL_OFFER = PROTOCOL.SSL | PROTOCOL.HYBRID | PROTOCOL.HYBRID_EX;

async function serve(answer: X224Answer | X224Responder) {
  const server = await startX224Server(answer);
  servers.push(server);
  return server;
}

function battery(
  port: number,
  probes: NetworkProbe[],
  { connector = createDirectConnector(), deadlineMs = 3000 } = {},
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const ms = deadlineMs;
  return runBattery({ host: '127.0.0.1', port }, probes, {
    connector,
    timeouts: { tcp: ms, rdp: ms, tls: ms, ntlm: ms, gateway: ms },
    startedAt: performance.now(),
    signal: AbortSignal.timeout(30_000),
    emit: (finding) => findings.push(finding),
  }).then(() => findings);
}

const openConnections = (server: Server) =>
  new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));

const rdpCodes = (findings: Finding[]) => findings.filter((f) => f.probe === 'rdp').map((f) => f.code);

describe('runBattery: NLA required or only offered', () => {
  test.for([
    { probes: ['rdp'], nla: 'required', want: ['RDP_NEG_NLA', 'RDP_NLA_REQUIRED'] },
    { probes: ['rdp'], nla: 'optional', want: ['RDP_NEG_NLA', 'RDP_NLA_OPTIONAL'] },
    // With tls the first connection continues into TLS; the check has its own connection.
    { probes: ['tcp', 'rdp', 'tls'], nla: 'required', want: ['RDP_NEG_NLA', 'RDP_NLA_REQUIRED'] },
    { probes: ['tcp', 'rdp', 'tls'], nla: 'optional', want: ['RDP_NEG_NLA', 'RDP_NLA_OPTIONAL'] },
  ] as const)('$probes, NLA $nla → $want', async ({ probes, nla, want }) => {
    const server = await serve(nlaServer(nla));
    const findings = await battery(server.port, [...probes]);
    expect(rdpCodes(findings)).toEqual(want);
    expect([...server.requests].sort()).toEqual([PROTOCOL.SSL, FULL_OFFER]);
  });

  test('a server that selects TLS gets no NLA finding and no TLS-only offer', async () => {
    const server = await serve(CONFIRM.tls);
    const findings = await battery(server.port, ['rdp']);
    expect(rdpCodes(findings)).toEqual(['RDP_NEG_TLS']);
    expect(server.requests).toEqual([FULL_OFFER]);
  });

  test('the second connection opens next to the first, before the server answers', async () => {
    // This server answers the full offer only once both connections are open: a check that
    // connected after the first answer would leave the first negotiation to its deadline.
    let bothOpen = () => {};
    const both = new Promise<void>((resolve) => {
      bothOpen = resolve;
    });
    const answer = nlaServer('required');
    const server = await serve(async (requested) => {
      if (requested !== PROTOCOL.SSL) await both;
      return answer(requested);
    });
    let opened = 0;
    server.server.on('connection', () => {
      opened += 1;
      if (opened === 2) bothOpen();
    });
    const findings = await battery(server.port, ['rdp'], { deadlineMs: 2000 });
    expect(findings.map((f) => [f.status, f.code])).toEqual([
      ['ok', 'RDP_NEG_NLA'],
      ['ok', 'RDP_NLA_REQUIRED'],
    ]);
  });

  test('the check runs next to the certificate check on the first connection, not after it', async () => {
    // This server answers the full offer with CredSSP, then holds the TLS handshake that follows
    // until the TLS-only offer has arrived on a second connection. A check that waited for the
    // certificate check would leave that one to its deadline.
    let tlsOnlyArrived = () => {};
    const arrived = new Promise<void>((resolve) => {
      tlsOnlyArrived = resolve;
    });
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', (data: Buffer) => {
        if (data.readUInt32LE(15) === PROTOCOL.SSL) {
          tlsOnlyArrived();
          socket.end(CONFIRM.hybridRequired);
          return;
        }
        socket.write(CONFIRM.nla);
        void arrived.then(() => socket.destroy());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    });
    const { port } = server.address() as AddressInfo;
    const findings = await battery(port, ['rdp', 'tls'], { deadlineMs: 2000 });
    expect(rdpCodes(findings)).toEqual(['RDP_NEG_NLA', 'RDP_NLA_REQUIRED']);
    expect(findings.find((f) => f.probe === 'tls')?.status).not.toBe('timeout');
  });

  test.for([
    { nla: 'required', offers: [FULL_OFFER, PROTOCOL.SSL], rdp: ['RDP_NEG_NLA', 'RDP_NLA_REQUIRED'] },
    { nla: 'no (TLS selected)', offers: [FULL_OFFER], rdp: ['RDP_NEG_TLS'] },
  ] as const)(
    'with the tcp probe, its connection carries the TLS-only offer: NLA $nla',
    async ({ nla, offers, rdp }) => {
      const server = await serve(nla === 'required' ? nlaServer('required') : CONFIRM.tls);
      let connections = 0;
      server.server.on('connection', () => {
        connections += 1;
      });
      const findings = await battery(server.port, ['tcp', 'rdp']);
      expect(rdpCodes(findings)).toEqual(rdp);
      expect(findings.find((f) => f.probe === 'tcp')?.code).toBe('TCP_OPEN');
      // As many connections as without the check: the tcp probe's and the negotiation's.
      expect(connections).toBe(2);
      expect(server.requests).toEqual(offers);
      // Nothing is left open once the battery is done (an unused spare is closed): the client has
      // destroyed its sockets; the server sees each close one I/O turn later.
      await waitFor(async () => (await openConnections(server.server)) === 0, {
        timeoutMs: 1000,
        what: 'the server to see every connection closed',
      });
    },
  );

  test('triages asking about the same host at the same time share one check', async () => {
    const server = await serve(nlaServer('required'));
    const connector = createDirectConnector();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => battery(server.port, ['rdp'], { connector })),
    );
    for (const findings of results) expect(rdpCodes(findings)).toEqual(['RDP_NEG_NLA', 'RDP_NLA_REQUIRED']);
    expect(server.requests.filter((r) => r === PROTOCOL.SSL)).toHaveLength(1);
  });
});
