import { afterEach, describe, expect, test } from 'vitest';
import { type NetworkProbe, runBattery } from '../../src/probes/battery.js';
import { createDirectConnector } from '../../src/probes/direct-connector.js';
import type { Finding } from '../../src/probes/finding.js';
import { PROTOCOL } from '../../src/probes/x224.js';
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
    timeouts: { tcp: ms, rdp: ms, tls: ms, gateway: ms },
    startedAt: performance.now(),
    signal: AbortSignal.timeout(30_000),
    emit: (finding) => findings.push(finding),
  }).then(() => findings);
}

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

  test('a server that selects TLS gets no NLA finding (it already said NLA is not required)', async () => {
    const server = await serve(CONFIRM.tls);
    const findings = await battery(server.port, ['rdp']);
    expect(rdpCodes(findings)).toEqual(['RDP_NEG_TLS']);
  });

  test('the check runs next to the first negotiation, not after it', async () => {
    // This server answers the full offer only once the TLS-only offer has arrived: a check that
    // waited for the first answer would leave the first negotiation to time out.
    let tlsOnlyArrived = () => {};
    const arrived = new Promise<void>((resolve) => {
      tlsOnlyArrived = resolve;
    });
    const server = await serve(async (requested) => {
      if (requested === PROTOCOL.SSL) {
        tlsOnlyArrived();
        return CONFIRM.hybridRequired;
      }
      await arrived;
      return CONFIRM.nla;
    });
    const findings = await battery(server.port, ['rdp'], { deadlineMs: 2000 });
    expect(findings.map((f) => [f.status, f.code])).toEqual([
      ['ok', 'RDP_NEG_NLA'],
      ['ok', 'RDP_NLA_REQUIRED'],
    ]);
  });

  test('a check nobody needs does not hold the battery until its deadline', async () => {
    // TLS selected; the TLS-only offer is never answered. The battery must end with the first
    // answer, not at the 20 s deadline (the test's own timeout is 5 s).
    const server = await serve((requested) => (requested === PROTOCOL.SSL ? null : CONFIRM.tls));
    const findings = await battery(server.port, ['rdp'], { deadlineMs: 20_000 });
    expect(rdpCodes(findings)).toEqual(['RDP_NEG_TLS']);
  }, 5000);

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
