/**
 * The two messages of the first CredSSP step, and nothing after it: the client's TSRequest
 * carrying an NTLM NEGOTIATE (MS-CSSP 2.2.1, MS-NLMP 2.2.1.1) and the server's TSRequest carrying
 * its NTLM CHALLENGE (MS-NLMP 2.2.1.2). The CHALLENGE names the machine (AV pairs), its OS version
 * and its clock, before anyone logs on; no credential is ever part of either message.
 *
 * Every read is bounds-checked: a reply that is short, lies about a length or is not NTLM at all
 * comes back as `{ problem }`, never as an exception or an out-of-range read.
 */

/** What the server's CHALLENGE says about the machine. */
export interface NtlmChallengeInfo {
  /** TargetName of the message (the domain, or the computer when it is in no domain). */
  targetName?: string;
  netbiosComputer?: string;
  netbiosDomain?: string;
  dnsComputer?: string;
  dnsDomain?: string;
  dnsTree?: string;
  /** OS version from the Version field: 6.1.7601 is Windows 7 / Server 2008 R2 SP1. */
  version?: { major: number; minor: number; build: number };
  /** The server's clock (MsvAvTimestamp), ms since the epoch. */
  serverTimeMs?: number;
}

export type NtlmReading = { info: NtlmChallengeInfo } | { problem: string };

/**
 * NEGOTIATE flags a current client sends: Unicode, OEM, request target, sign, LM key, NTLM, always
 * sign, extended session security, target info, version, 128-bit, key exchange, 56-bit.
 */
const NEGOTIATE_FLAGS = 0xe2888297;
const NEGOTIATE_VERSION_FLAG = 0x02000000;
const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** The CredSSP version we announce: the current one (MS-CSSP 2.2.1, version 6). */
export const CREDSSP_VERSION = 6;
/** Longest name accepted from an AV pair, in characters: DNS names are at most 255. */
const MAX_NAME_CHARS = 255;

/** An NTLM NEGOTIATE with no domain and no workstation name: it says nothing about us. */
export function encodeNtlmNegotiate(): Buffer {
  const message = Buffer.alloc(40);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(1, 8); // NtLmNegotiate
  message.writeUInt32LE(NEGOTIATE_FLAGS, 12);
  // DomainNameFields and WorkstationFields: empty, offset at the end of the fixed part.
  message.writeUInt32LE(40, 20);
  message.writeUInt32LE(40, 28);
  // Version: 10.0.19041, NTLM revision 15, as a Windows 10 client sends it.
  message.writeUInt8(10, 32);
  message.writeUInt8(0, 33);
  message.writeUInt16LE(19041, 34);
  message.writeUInt8(15, 39);
  return message;
}

/** TSRequest { version [0] INTEGER, negoTokens [1] SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING } }. */
export function encodeTsRequest(negoToken: Buffer, version = CREDSSP_VERSION): Buffer {
  const token = der(0xa0, der(0x04, negoToken));
  const negoData = der(0xa1, der(0x30, der(0x30, token)));
  return der(0x30, Buffer.concat([der(0xa0, der(0x02, Buffer.from([version]))), negoData]));
}

/** The length of the DER element at the start of `data`, once its header is complete; else null. */
export function derElementLength(data: Buffer): number | null {
  const header = readHeader(data, 0);
  if (header === null) return null;
  return header.contentStart + header.length;
}

/** The server's TSRequest: its CredSSP version and the first negoToken, or its error code. */
export function decodeTsRequest(
  data: Buffer,
): { version: number; negoToken?: Buffer; errorCode?: number } | { problem: string } {
  const outer = readHeader(data, 0);
  if (outer === null || data[0] !== 0x30) return { problem: 'the answer is not a CredSSP TSRequest' };
  const end = outer.contentStart + outer.length;
  if (end > data.length) return { problem: 'the TSRequest is cut short' };
  let version: number | undefined;
  let negoToken: Buffer | undefined;
  let errorCode: number | undefined;
  for (let at = outer.contentStart; at < end; ) {
    const field = readHeader(data, at, end);
    if (field === null || field.contentStart + field.length > end)
      return { problem: 'a TSRequest field runs past its end' };
    const content = data.subarray(field.contentStart, field.contentStart + field.length);
    const tag = data[at];
    if (tag === 0xa0) version = readInteger(content);
    else if (tag === 0xa1) negoToken = firstNegoToken(content);
    else if (tag === 0xa4) errorCode = readInteger(content);
    at = field.contentStart + field.length;
  }
  if (version === undefined) return { problem: 'the TSRequest has no version' };
  return {
    version,
    ...(negoToken !== undefined && { negoToken }),
    ...(errorCode !== undefined && { errorCode }),
  };
}

/** Reads an NTLM CHALLENGE message (MS-NLMP 2.2.1.2) and its AV pairs (2.2.2.1). */
export function parseNtlmChallenge(message: Buffer): NtlmReading {
  if (message.length < 48 || !message.subarray(0, 8).equals(SIGNATURE))
    return { problem: 'the token is not an NTLM message (no NTLMSSP signature)' };
  if (message.readUInt32LE(8) !== 2) return { problem: 'the NTLM message is not a CHALLENGE' };
  const flags = message.readUInt32LE(20);
  const info: NtlmChallengeInfo = {};
  const targetName = field(message, 12);
  if ('problem' in targetName) return { problem: `TargetName ${targetName.problem}` };
  if (targetName.bytes.length > 0) {
    const name = utf16(targetName.bytes);
    if ('problem' in name) return { problem: `TargetName ${name.problem}` };
    info.targetName = name.text;
  }
  const targetInfo = field(message, 40);
  if ('problem' in targetInfo) return { problem: `TargetInfo ${targetInfo.problem}` };
  const pairs = readAvPairs(targetInfo.bytes, info);
  if (pairs !== null) return { problem: pairs };
  // The Version field exists when the flag is set and the payload starts after it.
  const payloadStart = Math.min(
    ...[message.readUInt32LE(16), message.readUInt32LE(44)].filter((offset) => offset > 0),
  );
  if ((flags & NEGOTIATE_VERSION_FLAG) !== 0 && message.length >= 56 && payloadStart >= 56)
    info.version = { major: message[48] ?? 0, minor: message[49] ?? 0, build: message.readUInt16LE(50) };
  return { info };
}

const AV_NAMES: Record<number, keyof NtlmChallengeInfo> = {
  1: 'netbiosComputer',
  2: 'netbiosDomain',
  3: 'dnsComputer',
  4: 'dnsDomain',
  5: 'dnsTree',
};
const MSV_AV_EOL = 0;
const MSV_AV_TIMESTAMP = 7;
/** FILETIME (100 ns since 1601-01-01) of the Unix epoch. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;

/** Fills `info` from the AV pair list; returns what is wrong with it, or null. */
function readAvPairs(list: Buffer, info: NtlmChallengeInfo): string | null {
  let at = 0;
  for (let count = 0; count < 64; count++) {
    if (at + 4 > list.length) return 'the AV pair list has no end marker';
    const id = list.readUInt16LE(at);
    const length = list.readUInt16LE(at + 2);
    if (id === MSV_AV_EOL) return null;
    if (at + 4 + length > list.length) return `AV pair ${id} runs past the end of the list`;
    const value = list.subarray(at + 4, at + 4 + length);
    const key = AV_NAMES[id];
    if (key !== undefined) {
      const name = utf16(value);
      if ('problem' in name) return `AV pair ${id} ${name.problem}`;
      (info as Record<string, unknown>)[key] = name.text;
    } else if (id === MSV_AV_TIMESTAMP) {
      if (length !== 8) return 'the timestamp AV pair is not 8 bytes';
      info.serverTimeMs = Number((value.readBigUInt64LE(0) - FILETIME_UNIX_EPOCH) / 10_000n);
    }
    at += 4 + length;
  }
  return 'the AV pair list is longer than any server sends';
}

/** A (length, max length, offset) field of the message, bounds-checked. */
function field(message: Buffer, at: number): { bytes: Buffer } | { problem: string } {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (length === 0) return { bytes: Buffer.alloc(0) };
  if (offset + length > message.length) return { problem: 'runs past the end of the message' };
  return { bytes: message.subarray(offset, offset + length) };
}

function utf16(bytes: Buffer): { text: string } | { problem: string } {
  if (bytes.length % 2 !== 0) return { problem: 'is not UTF-16 (odd length)' };
  if (bytes.length / 2 > MAX_NAME_CHARS)
    return { problem: `is ${bytes.length / 2} characters long, longer than any machine name` };
  // Control characters would reach the reply: a name with them is not a name.
  const text = bytes.toString('utf16le');
  if (/\p{Cc}/u.test(text)) return { problem: 'holds control characters' };
  return { text };
}

function firstNegoToken(negoData: Buffer): Buffer | undefined {
  // SEQUENCE OF → SEQUENCE → [0] → OCTET STRING
  let data = negoData;
  for (const tag of [0x30, 0x30, 0xa0, 0x04]) {
    const header = readHeader(data, 0);
    if (header === null || data[0] !== tag || header.contentStart + header.length > data.length)
      return undefined;
    data = data.subarray(header.contentStart, header.contentStart + header.length);
  }
  return data;
}

function readInteger(content: Buffer): number | undefined {
  const header = readHeader(content, 0);
  if (header === null || content[0] !== 0x02 || header.length < 1 || header.length > 4) return undefined;
  if (header.contentStart + header.length > content.length) return undefined;
  return content.readUIntBE(header.contentStart, header.length);
}

/** Tag and length at `at` (short or long form, at most 4 length bytes), or null when incomplete. */
function readHeader(
  data: Buffer,
  at: number,
  end = data.length,
): { contentStart: number; length: number } | null {
  if (at + 2 > end) return null;
  const first = data[at + 1] ?? 0;
  if (first < 0x80) return { contentStart: at + 2, length: first };
  const bytes = first & 0x7f;
  if (bytes === 0 || bytes > 4 || at + 2 + bytes > end) return null;
  return { contentStart: at + 2 + bytes, length: data.readUIntBE(at + 2, bytes) };
}

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const header =
    length < 0x80
      ? Buffer.from([tag, length])
      : length < 0x100
        ? Buffer.from([tag, 0x81, length])
        : Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}
