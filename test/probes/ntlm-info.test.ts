import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDirectConnector } from '../../src/probes/direct-connector.js';
import { probeNtlmInfo } from '../../src/probes/ntlm-info.js';
import {
  decodeTsRequest,
  encodeNtlmNegotiate,
  encodeTsRequest,
  parseNtlmChallenge,
} from '../../src/probes/ntlm-messages.js';
import { CONFIRM } from '../helpers/x224-server.js';

/** FILETIME of a moment given in ms since the epoch. */
const filetime = (ms: number) => BigInt(ms) * 10_000n + 116_444_736_000_000_000n;

interface ChallengeParts {
  target?: string;
  pairs?: [number, Buffer][];
  version?: [number, number, number];
  terminator?: boolean;
}

/** An NTLM CHALLENGE as a server builds it (MS-NLMP 2.2.1.2), from its parts. */
function challenge({
  target = 'RDP-NLA',
  pairs = [],
  version = [6, 1, 7601],
  terminator = true,
}: ChallengeParts): Buffer {
  const name = Buffer.from(target, 'utf16le');
  const list = Buffer.concat([
    ...pairs.map(([id, value]) => {
      const head = Buffer.alloc(4);
      head.writeUInt16LE(id, 0);
      head.writeUInt16LE(value.length, 2);
      return Buffer.concat([head, value]);
    }),
    terminator ? Buffer.alloc(4) : Buffer.alloc(0),
  ]);
  const fixed = Buffer.alloc(56);
  fixed.write('NTLMSSP\0', 0, 'latin1');
  fixed.writeUInt32LE(2, 8);
  fixed.writeUInt16LE(name.length, 12);
  fixed.writeUInt16LE(name.length, 14);
  fixed.writeUInt32LE(56, 16);
  fixed.writeUInt32LE(0xe2898215, 20);
  fixed.writeUInt16LE(list.length, 40);
  fixed.writeUInt16LE(list.length, 42);
  fixed.writeUInt32LE(56 + name.length, 44);
  fixed.writeUInt8(version[0], 48);
  fixed.writeUInt8(version[1], 49);
  fixed.writeUInt16LE(version[2], 50);
  fixed.writeUInt8(15, 55);
  return Buffer.concat([fixed, name, list]);
}

const utf16 = (text: string) => Buffer.from(text, 'utf16le');
const timestamp = (ms: number) => {
  const value = Buffer.alloc(8);
  value.writeBigUInt64LE(filetime(ms));
  return value;
};
/** The AV pairs FreeRDP's shadow server sends (names as nmap's rdp-ntlm-info reads them, lab-notes §8). */
const shadowPairs = (clockMs: number): [number, Buffer][] => [
  [2, utf16('RDP-NLA')],
  [1, utf16('RDP-NLA')],
  [4, utf16('rdp-nla')],
  [3, utf16('rdp-nla')],
  [7, timestamp(clockMs)],
];

describe('NTLM messages', () => {
  test('the NEGOTIATE goes out in a TSRequest that names nobody: no domain, no workstation, no credential', () => {
    const negotiate = encodeNtlmNegotiate();
    expect(negotiate.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(negotiate.readUInt32LE(8)).toBe(1);
    expect(negotiate.readUInt16LE(16)).toBe(0); // domain length
    expect(negotiate.readUInt16LE(24)).toBe(0); // workstation length
    const decoded = decodeTsRequest(encodeTsRequest(negotiate));
    expect(decoded).toEqual({ version: 6, negoToken: negotiate });
  });

  test('a CHALLENGE gives the names, the version and the clock', () => {
    const at = Date.UTC(2026, 11, 7, 8, 0, 0);
    expect(parseNtlmChallenge(challenge({ pairs: shadowPairs(at) }))).toEqual({
      info: {
        targetName: 'RDP-NLA',
        netbiosDomain: 'RDP-NLA',
        netbiosComputer: 'RDP-NLA',
        dnsDomain: 'rdp-nla',
        dnsComputer: 'rdp-nla',
        version: { major: 6, minor: 1, build: 7601 },
        serverTimeMs: at,
      },
    });
  });

  const hostile: [string, Buffer, RegExp][] = [
    [
      'wrong signature',
      Buffer.concat([Buffer.from('NTLMXXX\0'), challenge({}).subarray(8)]),
      /no NTLMSSP signature/,
    ],
    [
      'not a CHALLENGE',
      (() => {
        const m = challenge({});
        m.writeUInt32LE(3, 8);
        return m;
      })(),
      /not a CHALLENGE/,
    ],
    ['truncated', challenge({ pairs: shadowPairs(0) }).subarray(0, 40), /no NTLMSSP signature|runs past/],
    ['target info past the end', challenge({ pairs: shadowPairs(0) }).subarray(0, 90), /runs past the end/],
    [
      'an AV pair longer than the list',
      (() => {
        const m = challenge({ pairs: [[1, utf16('RDP-NLA')]] });
        m.writeUInt16LE(0x4000, 56 + 14 + 2); // the pair's AvLen, after the 14-byte TargetName
        return m;
      })(),
      /AV pair 1 runs past the end/,
    ],
    [
      'a 32,000-character name',
      challenge({ pairs: [[3, Buffer.alloc(64_000, 0x41)]] }),
      /longer than any machine name/,
    ],
    ['no terminator', challenge({ pairs: [[1, utf16('RDP-NLA')]], terminator: false }), /no end marker/],
    [
      'control characters in a name',
      challenge({ pairs: [[1, utf16('RDP\u0007NLA')]] }),
      /control characters/,
    ],
    ['a short timestamp', challenge({ pairs: [[7, Buffer.alloc(4)]] }), /not 8 bytes/],
  ];
  test.each(hostile)('a hostile CHALLENGE (%s) is a problem, never a throw', (_name, message, problem) => {
    const reading = parseNtlmChallenge(message);
    expect('problem' in reading && reading.problem).toMatch(problem);
  });

  test.each([
    ['empty', Buffer.alloc(0)],
    ['not DER', Buffer.from('hello world')],
    ['a length of 4 GB', Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0xa0])],
    ['cut short', encodeTsRequest(challenge({})).subarray(0, 30)],
  ])('a TSRequest that is %s is a problem', (_name, data) => {
    expect(decodeTsRequest(data)).toHaveProperty('problem');
  });
});

// An in-process NLA server on loopback: X.224 confirm selecting CredSSP (the real bytes of
// freerdp-shadow /sec:nla), TLS with a throwaway certificate, then `reply` to the TSRequest.
let key: string;
let cert: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'ntlm-test-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=rdp-nla',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
});

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function nlaServer(
  reply: ((request: Buffer) => Buffer | null) | 'tls-only',
): Promise<{ port: number; tsRequests: Buffer[] }> {
  const tsRequests: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      if (reply === 'tls-only') return void socket.end(CONFIRM.tls);
      socket.write(CONFIRM.nla);
      const tls = new TLSSocket(socket, { isServer: true, key, cert });
      tls.on('error', () => {});
      tls.once('data', (request: Buffer) => {
        tsRequests.push(request);
        const answer = reply(request);
        if (answer) tls.write(answer);
      });
    });
  });
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, tsRequests };
}

const probe = (port: number, options: { name?: string; clock?: () => number; deadlineMs?: number } = {}) =>
  probeNtlmInfo(
    { host: '127.0.0.1', port, ...(options.name && { displayName: options.name }) },
    {
      connector: createDirectConnector(),
      signal: AbortSignal.timeout(options.deadlineMs ?? 5000),
      ...(options.clock && { clock: options.clock }),
    },
  );

describe('probeNtlmInfo against a loopback NLA server', () => {
  test('reads the names, the OS and the CredSSP version; the server got a NEGOTIATE and nothing else', async () => {
    const server = await nlaServer(() => encodeTsRequest(challenge({ pairs: shadowPairs(Date.now()) })));
    const finding = await probe(server.port, { name: 'rdp-nla' });
    expect(finding).toMatchObject({
      probe: 'ntlm',
      status: 'ok',
      code: 'NTLM_INFO',
      detail: {
        netbiosComputer: 'RDP-NLA',
        dnsComputer: 'rdp-nla',
        credsspVersion: 6,
        os: 'Windows 7 / Server 2008 R2 SP1 (6.1.7601)',
      },
    });
    expect(finding.summary).toMatch(
      /answers as rdp-nla, Windows 7 \/ Server 2008 R2 SP1 \(6\.1\.7601\), CredSSP 6, clock in step/,
    );
    expect(server.tsRequests).toHaveLength(1);
    const sent = decodeTsRequest(server.tsRequests[0] ?? Buffer.alloc(0));
    expect('negoToken' in sent && sent.negoToken?.readUInt32LE(8)).toBe(1); // NEGOTIATE, no AUTHENTICATE
  });

  test('a clock 20 minutes ahead fails with the minutes; 2 minutes is a warning', async () => {
    const ahead = await nlaServer(() =>
      encodeTsRequest(challenge({ pairs: shadowPairs(Date.now() + 20 * 60_000) })),
    );
    const skewed = await probe(ahead.port, { name: 'rdp-nla' });
    expect(skewed).toMatchObject({ status: 'fail', code: 'NTLM_CLOCK_SKEW' });
    expect(Number(skewed.detail?.skewSeconds)).toBeGreaterThan(1140);
    expect(Number(skewed.detail?.skewSeconds)).toBeLessThan(1260);
    expect(skewed.summary).toMatch(/clock 20 min ahead of the bot's/);
    const drifting = await nlaServer(() =>
      encodeTsRequest(challenge({ pairs: shadowPairs(Date.now() - 120_000) })),
    );
    expect(await probe(drifting.port, { name: 'rdp-nla' })).toMatchObject({
      status: 'warn',
      code: 'NTLM_CLOCK_DRIFT',
    });
  });

  test('a name that leads to another machine is a mismatch naming both', async () => {
    const server = await nlaServer(() => encodeTsRequest(challenge({ pairs: shadowPairs(Date.now()) })));
    const finding = await probe(server.port, { name: 'srv-stale.lab' });
    expect(finding).toMatchObject({
      status: 'warn',
      code: 'NTLM_NAME_MISMATCH',
      detail: { askedFor: 'srv-stale.lab' },
    });
    expect(finding.summary).toMatch(/answers as rdp-nla.*not srv-stale\.lab/);
  });

  test('a server that does not select CredSSP is "not offered", not guessed', async () => {
    const server = await nlaServer('tls-only');
    expect(await probe(server.port)).toMatchObject({ status: 'skipped', code: 'NTLM_NOT_OFFERED' });
  });

  test.each([
    ['a truncated CHALLENGE', () => encodeTsRequest(challenge({ pairs: shadowPairs(0) }).subarray(0, 90))],
    ['garbage', () => Buffer.from('\x30\x05garbage')],
    [
      'a 64 KB answer',
      () => Buffer.concat([Buffer.from([0x30, 0x83, 0x01, 0x00, 0x00]), Buffer.alloc(65_536)]),
    ],
  ])('%s is a malformed finding with the reason, no crash', async (_name, reply) => {
    const server = await nlaServer(reply);
    const finding = await probe(server.port);
    expect(finding).toMatchObject({ probe: 'ntlm', status: 'warn', code: 'NTLM_MALFORMED' });
    expect(String(finding.detail?.problem)).not.toBe('');
  });

  test('a server that goes silent after TLS ends at the deadline, at the credssp stage', async () => {
    const server = await nlaServer(() => null);
    const started = performance.now();
    const finding = await probe(server.port, { deadlineMs: 800 });
    expect(finding).toMatchObject({ status: 'timeout', code: 'NTLM_TIMEOUT', detail: { stage: 'credssp' } });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
