import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeAnswer, encodeQuery } from '../../src/probes/dns-message.js';
import { createTunnelResolver } from '../../src/probes/tunnel-resolver.js';

// A DNS-over-TCP server on loopback speaking the real wire format (RFC 1035 §4.2.2), standing in
// for the site resolver at the far end of the tunnel. Zone: like the lab's dnsmasq.
const ZONE: Record<string, { rcode: number; a?: string[]; aaaa?: string[] }> = {
  'rdp-ok.lab': { rcode: 0, a: ['10.77.0.10'] },
  'dual.lab': { rcode: 0, a: ['10.77.0.30'], aaaa: ['fd00::30'] },
  'noaddr.lab': { rcode: 0 },
  'broken.lab': { rcode: 2 },
  'outside.example': { rcode: 5 },
};
let server: Server;
let port = 0;
let queries = 0;

function answer(query: Buffer): Buffer {
  const id = query.readUInt16BE(0);
  let offset = 12;
  const labels: string[] = [];
  while (query[offset]) {
    const length = query[offset] ?? 0;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const question = query.subarray(12, offset + 5);
  const type = query.readUInt16BE(offset + 1);
  const entry = ZONE[labels.join('.').toLowerCase()] ?? { rcode: 3 };
  const addresses = type === 1 ? (entry.a ?? []) : (entry.aaaa ?? []);
  const records = addresses.map((address) => {
    const data =
      type === 1
        ? Buffer.from(address.split('.').map(Number))
        : Buffer.from(
            address
              .replace('::', ':0:0:0:0:0:0:')
              .split(':')
              .map((g) => g.padStart(4, '0'))
              .join(''),
            'hex',
          );
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8180 | entry.rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const message = Buffer.concat([header, question, ...records]);
  const framed = Buffer.alloc(2);
  framed.writeUInt16BE(message.length);
  return Buffer.concat([framed, message]);
}

beforeAll(async () => {
  server = createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        queries++;
        socket.write(answer(buffer.subarray(2, 2 + buffer.readUInt16BE(0))));
        buffer = buffer.subarray(2 + buffer.readUInt16BE(0));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The "tunnel": a TCP connection to the loopback DNS server, whatever address was asked for. */
const open = () => Promise.resolve(connect({ host: '127.0.0.1', port }));
const signal = () => AbortSignal.timeout(2000);

describe('DNS over a tunnel to the site resolver', () => {
  test.for([
    { name: 'rdp-ok.lab', want: ['10.77.0.10'] },
    { name: 'dual.lab', want: ['10.77.0.30', 'fd00::30'] },
    { name: 'rdp-ok', want: ['10.77.0.10'] }, // completed by the search domain
  ])('$name resolves', async ({ name, want }) => {
    const resolve = createTunnelResolver({ servers: ['10.77.0.53'], search: ['lab'], open, timeoutMs: 2000 });
    expect(await resolve(name, signal())).toEqual(want);
  });

  test.for([
    { name: 'nosuch.lab', code: 'ENOTFOUND' },
    { name: 'noaddr.lab', code: 'ENODATA' },
    { name: 'broken.lab', code: 'ESERVFAIL' },
    { name: 'outside.example', code: 'EREFUSED' },
    { name: 'bad name;rm', code: 'ENOTFOUND' },
  ])('$name → $code', async ({ name, code }) => {
    const resolve = createTunnelResolver({ servers: ['10.77.0.53'], open, timeoutMs: 2000 });
    await expect(resolve(name, signal())).rejects.toMatchObject({ code });
  });

  test('200 lookups of one name in flight cost one query', async () => {
    const resolve = createTunnelResolver({ servers: ['10.77.0.53'], open, timeoutMs: 2000 });
    const before = queries;
    const answers = await Promise.all(Array.from({ length: 200 }, () => resolve('dual.lab', signal())));
    expect(new Set(answers.map((a) => a.join()))).toEqual(new Set(['10.77.0.30,fd00::30']));
    expect(queries - before).toBe(2); // A + AAAA, pipelined on one connection
  });

  test('a silent resolver ends in ETIMEOUT at the deadline', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const resolve = createTunnelResolver({
      servers: ['10.77.0.53'],
      open: () => Promise.resolve(connect({ host: '127.0.0.1', port: silentPort })),
      timeoutMs: 200,
    });
    await expect(resolve('rdp-ok.lab', AbortSignal.timeout(5000))).rejects.toMatchObject({
      code: 'ETIMEOUT',
    });
    silent.close();
  });

  test('query bytes round-trip through the decoder', () => {
    const query = encodeQuery(0x1234, 'rdp-ok.lab', 1);
    expect(query.readUInt16BE(0)).toBe(query.length - 2);
    const decoded = decodeAnswer(answer(query.subarray(2)).subarray(2));
    expect(decoded).toMatchObject({ id: 0x1234, rcode: 0, addresses: [{ address: '10.77.0.10', ttl: 300 }] });
  });
});
