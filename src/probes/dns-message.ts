/**
 * DNS wire format (RFC 1035 §4), just enough to ask for A/AAAA over TCP and read the answer:
 * the rcode (NXDOMAIN vs SERVFAIL vs REFUSED), the addresses and their TTLs. Pure.
 */

export const RECORD_TYPES = { A: 1, AAAA: 28 } as const;
export const RCODES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

const NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$/;

export function isDnsName(name: string): boolean {
  return NAME.test(name);
}

/** A standard recursive query for one name and type, 2-byte length prefix for TCP (RFC 1035 §4.2.2). */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  if (!isDnsName(name)) throw new RangeError(`not a DNS name: ${name}`);
  const labels = name.replace(/\.$/, '').split('.');
  const question = Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')])),
    Buffer.from([0]),
  ]);
  const message = Buffer.alloc(12 + question.length + 4);
  message.writeUInt16BE(id & 0xffff, 0);
  message.writeUInt16BE(0x0100, 2); // RD: ask the resolver to recurse
  message.writeUInt16BE(1, 4); // QDCOUNT
  question.copy(message, 12);
  message.writeUInt16BE(type, 12 + question.length);
  message.writeUInt16BE(1, 12 + question.length + 2); // class IN
  const framed = Buffer.alloc(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}

export interface DnsAnswer {
  id: number;
  rcode: number;
  rcodeName: string;
  addresses: { address: string; ttl: number }[];
}

/** Skips a (possibly compressed) name; returns the offset after it. */
function skipName(message: Buffer, offset: number): number {
  let at = offset;
  for (let hops = 0; hops < 128; hops++) {
    const length = message[at];
    if (length === undefined) throw new RangeError('name runs past the message');
    if (length === 0) return at + 1;
    if ((length & 0xc0) === 0xc0) return at + 2; // compression pointer ends the name here
    at += 1 + length;
  }
  throw new RangeError('name too long');
}

/** Decodes one DNS message (without the TCP length prefix). Throws RangeError on garbage. */
export function decodeAnswer(message: Buffer): DnsAnswer {
  if (message.length < 12) throw new RangeError('DNS message shorter than its header');
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  const rcode = flags & 0x0f;
  const questions = message.readUInt16BE(4);
  const answers = message.readUInt16BE(6);
  let offset = 12;
  for (let i = 0; i < questions; i++) offset = skipName(message, offset) + 4;
  const addresses: DnsAnswer['addresses'] = [];
  for (let i = 0; i < answers; i++) {
    offset = skipName(message, offset);
    if (offset + 10 > message.length) throw new RangeError('record header runs past the message');
    const type = message.readUInt16BE(offset);
    const ttl = message.readUInt32BE(offset + 4);
    const length = message.readUInt16BE(offset + 8);
    const data = message.subarray(offset + 10, offset + 10 + length);
    if (data.length !== length) throw new RangeError('record data runs past the message');
    if (type === RECORD_TYPES.A && length === 4) addresses.push({ address: [...data].join('.'), ttl });
    if (type === RECORD_TYPES.AAAA && length === 16) addresses.push({ address: formatIpv6(data), ttl });
    offset += 10 + length;
  }
  return { id, rcode, rcodeName: RCODES[rcode] ?? `RCODE_${rcode}`, addresses };
}

function formatIpv6(data: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(data.readUInt16BE(i).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}
