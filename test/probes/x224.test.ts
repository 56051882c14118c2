import { describe, expect, test } from 'vitest';
import { decodeConnectionConfirm, encodeConnectionRequest, PROTOCOL } from '../../src/probes/x224.js';

// Bytes as xrdp 0.9.21 and FreeRDP's shadow server sent them (lab-notes §3).
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('X.224 Connection Request', () => {
  test('TLS|CredSSP request is the 19 bytes a real client sends', () => {
    expect(encodeConnectionRequest(PROTOCOL.SSL | PROTOCOL.HYBRID)).toEqual(
      hex('03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00'),
    );
  });
});

describe('X.224 Connection Confirm from real servers', () => {
  test.for([
    {
      server: 'xrdp negotiate, req 3',
      bytes: '03 00 00 13 0e d0 00 00 12 34 00 02 01 08 00 01 00 00 00',
      want: { kind: 'response', selectedProtocol: 1, flags: 1 },
    },
    {
      server: 'xrdp rdp layer (gotcha 13)',
      bytes: '03 00 00 13 0e d0 00 00 12 34 00 02 01 08 00 00 00 00 00',
      want: { kind: 'response', selectedProtocol: 0 },
    },
    {
      server: 'xrdp tls layer, req 0',
      bytes: '03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 01 00 00 00',
      want: { kind: 'failure', failureCode: 1, failureName: 'SSL_REQUIRED_BY_SERVER' },
    },
    {
      server: 'shadow /sec:nla, req 1',
      bytes: '030000130ed000000000000300080005000000',
      want: { kind: 'failure', failureCode: 5, failureName: 'HYBRID_REQUIRED_BY_SERVER' },
    },
    {
      server: 'shadow /sec:nla, req 3',
      bytes: '030000130ed000000000000203080002000000',
      want: { kind: 'response', selectedProtocol: 2, flags: 3 },
    },
    {
      server: 'old server without negotiation data',
      bytes: '03 00 00 0b 06 d0 00 00 12 34 00',
      want: { kind: 'legacy' },
    },
    { server: 'a web server', bytes: '48 54 54 50 2f 31 2e 31 20 34 30 30 20', want: { kind: 'invalid' } },
  ])('$server', ({ bytes, want }) => {
    expect(decodeConnectionConfirm(hex(bytes))).toMatchObject(want);
  });
});
