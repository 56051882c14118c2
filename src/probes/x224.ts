/**
 * X.224 Connection Request / Confirm with RDP negotiation (MS-RDPBCGR 2.2.1.1 / 2.2.1.2).
 * Pure encode/decode; byte layout in rdp-facts §6.3–6.4.
 */

export const PROTOCOL = { RDP: 0, SSL: 1, HYBRID: 2, RDSTLS: 4, HYBRID_EX: 8, RDSAAD: 0x10 } as const;

export const FAILURE_NAMES: Record<number, string> = {
  1: 'SSL_REQUIRED_BY_SERVER',
  2: 'SSL_NOT_ALLOWED_BY_SERVER',
  3: 'SSL_CERT_NOT_ON_SERVER',
  4: 'INCONSISTENT_FLAGS',
  5: 'HYBRID_REQUIRED_BY_SERVER',
  6: 'SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER',
};

const PROTOCOL_NAMES: Record<number, string> = {
  0: 'standard RDP security',
  1: 'TLS',
  2: 'CredSSP (NLA)',
  4: 'RDSTLS',
  8: 'CredSSP with early user authorization (NLA)',
  16: 'RDS AAD auth',
};

/** TPKT + X.224 CR + RDP_NEG_REQ, no cookie (19 bytes). */
export function encodeConnectionRequest(requestedProtocols: number): Buffer {
  const packet = Buffer.alloc(19);
  packet.writeUInt8(0x03, 0); // TPKT version
  packet.writeUInt16BE(19, 2); // TPKT length, big-endian
  packet.writeUInt8(14, 4); // X.224 LI: 6 header bytes + 8 bytes RDP_NEG_REQ
  packet.writeUInt8(0xe0, 5); // Connection Request
  packet.writeUInt8(0x01, 11); // TYPE_RDP_NEG_REQ
  packet.writeUInt16LE(8, 13);
  packet.writeUInt32LE(requestedProtocols >>> 0, 15);
  return packet;
}

export type NegotiationAnswer =
  | { kind: 'response'; selectedProtocol: number; protocolName: string; flags: number }
  | { kind: 'failure'; failureCode: number; failureName: string }
  | { kind: 'legacy' }
  | { kind: 'invalid'; reason: string };

/** Length of a complete TPKT packet at the start of `data`, or null while more bytes are needed. */
export function tpktLength(data: Buffer): number | null {
  if (data.length < 4) return null;
  return data.readUInt16BE(2);
}

export function decodeConnectionConfirm(packet: Buffer): NegotiationAnswer {
  if (packet.length < 11 || packet[0] !== 0x03) return { kind: 'invalid', reason: 'not a TPKT packet' };
  if (packet[5] !== 0xd0)
    return {
      kind: 'invalid',
      reason: `X.224 code 0x${(packet[5] ?? 0).toString(16)}, not Connection Confirm`,
    };
  const li = packet[4] ?? 0;
  // LI 6: no rdpNegData — an old server that speaks only standard RDP security.
  if (li < 14 || packet.length < 19) return { kind: 'legacy' };
  const type = packet[11];
  const value = packet.readUInt32LE(15);
  if (type === 0x02) {
    return {
      kind: 'response',
      selectedProtocol: value,
      protocolName: PROTOCOL_NAMES[value] ?? `protocol 0x${value.toString(16)}`,
      flags: packet[12] ?? 0,
    };
  }
  if (type === 0x03) {
    return {
      kind: 'failure',
      failureCode: value,
      failureName: FAILURE_NAMES[value] ?? `FAILURE_0x${value.toString(16)}`,
    };
  }
  return { kind: 'invalid', reason: `unknown negotiation type 0x${(type ?? 0).toString(16)}` };
}
