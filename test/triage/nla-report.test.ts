import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderText } from '../../src/bot/render/text.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createDirectConnector } from '../../src/probes/direct-connector.js';
import type { Understanding } from '../../src/report/understanding.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { runTriage } from '../../src/triage/run.js';
import { nlaServer, startX224Server } from '../helpers/x224-server.js';

// From the wire to the sentence a helpdesk agent reads: a loopback server with NLA required or
// optional (real bytes), the real triage (plan → probes → rank) and the text renderer.
type Server = Awaited<ReturnType<typeof startX224Server>>;
const servers: Partial<Record<'required' | 'optional', Server>> = {};

beforeAll(async () => {
  servers.required = await startX224Server(nlaServer('required'));
  servers.optional = await startX224Server(nlaServer('optional'));
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

async function triage(nla: 'required' | 'optional', symptoms: string[]) {
  const port = servers[nla]?.port ?? 0;
  const config = parseConfig(`probes:\n  timeoutMs: 2000\n  rdpPorts: [${port}]\n`, 'test.yaml');
  const understanding: Understanding = {
    intent: 'rdp_failure',
    confidence: 0.9,
    // "The remote computer requires Network Level Authentication, which your computer does not support"
    codes: [{ value: '0xb09', role: 'disconnect' }],
    hosts: [{ name: '127.0.0.1', kind: 'ipv4', port }],
    gateway: null,
    symptoms,
  };
  const report = await runTriage(
    understanding,
    { config, allowlist: createAllowlist(config), connectorFor: () => createDirectConnector() },
    { signal: AbortSignal.timeout(10_000) },
  );
  return { report, text: renderText({ kind: 'report', report }, { color: false }) };
}

describe('NLA required / optional in a triage reply', () => {
  test('required: the finding, the client fix near the top, and why', async () => {
    const { report, text } = await triage('required', []);
    expect(report.findings.filter((f) => f.probe === 'rdp').map((f) => f.code)).toEqual([
      'RDP_NEG_NLA',
      'RDP_NLA_REQUIRED',
    ]);
    // (This server speaks no TLS after the negotiation, so a TLS fix competes for the top.)
    expect(report.fixes.slice(0, 3).map((fix) => fix.id)).toContain('enable-nla-on-client');
    expect(text).toMatch(
      /✔ 127\.0\.0\.1:\d+ requires Network Level Authentication: a client without NLA \(CredSSP\) is refused/,
    );
    expect(text).toMatch(
      /why: 127\.0\.0\.1:\d+ requires Network Level Authentication.*turned away before the logon screen/,
    );
  });

  test('optional: the finding, and neither "client lacks NLA" nor "turn NLA off" in the top fixes', async () => {
    const { report, text } = await triage('optional', ['nla_required']);
    expect(report.findings.filter((f) => f.probe === 'rdp').map((f) => f.code)).toEqual([
      'RDP_NEG_NLA',
      'RDP_NLA_OPTIONAL',
    ]);
    const top = report.fixes.slice(0, 3).map((fix) => fix.id);
    expect(top).not.toContain('enable-nla-on-client');
    expect(top).not.toContain('temporarily-disable-nla');
    expect(text).toMatch(
      /✔ 127\.0\.0\.1:\d+ does not require Network Level Authentication: a client without NLA is let in too \(with TLS\)/,
    );
  });
});
