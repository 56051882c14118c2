import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSSH } from 'node-ssh';
import { type AuthContext, type Connection, type ParsedKey, Server, utils } from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { configSchema, type JumpConfig } from '../../src/config/schema.js';
import { deadlineSignal } from '../../src/deadline-signal.js';
import { ConnectFailure } from '../../src/probes/connector.js';
import { fingerprintOf } from '../../src/probes/host-key.js';
import { createJumpPool, type JumpPool } from '../../src/probes/jump-pool.js';
import { probeRdp } from '../../src/probes/rdp-negotiate.js';
import { waitFor } from '../helpers/wait-for.js';

// The jump pool against an in-process ssh2 Server on 127.0.0.1 (beside the OpenSSH tests in
// test/integration/jump-pool.test.ts): the failures a real sshd is hard to make on demand. The
// pool builds its clients through the `createSsh` seam, so each test sees the NodeSSH it used.
// No channel reaches a real host: the fake jump answers every direct-tcpip open itself.

/** What the fake jump does with a direct-tcpip open: its nth (from 0) open of this connection. */
type OnOpen = (
  nth: number,
) => { accept: true; silent?: boolean } | { accept: false; description: string } | 'never';

interface FakeJump {
  port: number;
  hostKeyFingerprint: string;
  /** Authentication requests the server received (any method). */
  authAttempts: number;
  /** TCP connections accepted. */
  connections: number;
  /** Connections whose socket has closed. */
  closed: number;
  acceptAuth: boolean;
  onOpen: OnOpen;
  close(): Promise<void>;
}

let dir = '';
let clientKeyPath = '';
let clientPublic: Buffer;
let clientKey: ParsedKey;
let jump: FakeJump;
let pool: JumpPool | null = null;
const built: NodeSSH[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rdpt-jump-pool-'));
  const client = utils.generateKeyPairSync('ed25519');
  clientKeyPath = join(dir, 'client_key');
  writeFileSync(clientKeyPath, client.private, { mode: 0o600 });
  clientPublic = publicBlob(client.public);
  const parsed = utils.parseKey(client.public);
  if (parsed instanceof Error) throw parsed;
  clientKey = parsed;
  jump = await startFakeJump();
});

afterEach(async () => {
  await pool?.close();
  pool = null;
  built.length = 0;
  jump.acceptAuth = true;
  jump.onOpen = () => ({ accept: true });
});

afterAll(async () => {
  await jump?.close();
  rmSync(dir, { recursive: true, force: true });
});

function publicBlob(openSshPublic: string): Buffer {
  const key = utils.parseKey(openSshPublic);
  if (key instanceof Error) throw key;
  return key.getPublicSSH();
}

/** An ssh2 Server on 127.0.0.1, port 0, with a freshly generated ed25519 host key. */
async function startFakeJump(): Promise<FakeJump> {
  const host = utils.generateKeyPairSync('ed25519');
  const sockets = new Set<Socket>();
  const fake: FakeJump = {
    port: 0,
    hostKeyFingerprint: fingerprintOf(publicBlob(host.public)),
    authAttempts: 0,
    connections: 0,
    closed: 0,
    acceptAuth: true,
    onOpen: () => ({ accept: true }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      ssh.close();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
  const ssh = new Server({ hostKeys: [host.private] }, (connection: Connection) => {
    connection.on('error', () => {});
    connection.on('authentication', (ctx: AuthContext) => {
      fake.authAttempts++;
      if (!fake.acceptAuth || ctx.method !== 'publickey' || !ctx.key.data.equals(clientPublic))
        return ctx.reject(['publickey']);
      if (!ctx.signature) return ctx.accept(); // "is this key acceptable?"; the signed request follows
      if (!ctx.blob || !clientKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo))
        return ctx.reject(['publickey']);
      ctx.accept();
    });
    let opens = 0;
    connection.on('tcpip', (accept, reject) => {
      const decision = fake.onOpen(opens++);
      if (decision === 'never') return;
      if (!decision.accept) {
        rejectWith(connection, decision.description);
        reject();
        return;
      }
      const channel = accept();
      channel.on('error', () => {});
      // A silent jump takes the channel and then stops reading its socket altogether: no data,
      // no window adjust, no close ever comes back.
      if (decision.silent) socketOf(connection)?.pause();
    });
  });
  // Our own listener hands each socket to ssh2 (injectSocket), so a test can count and close them.
  const tcp: NetServer = createServer((socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      fake.closed++;
      sockets.delete(socket);
    });
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  fake.port = (tcp.address() as { port: number }).port;
  return fake;
}

/**
 * ssh2's Server rejects a channel with an empty description; sshd says why ("open failed",
 * "Connection refused", …) and the pool classifies by that text alone (reason is always 2,
 * lab-notes §5). The fake jump sends sshd's words on the wire, through the connection's protocol.
 */
function rejectWith(connection: Connection, description: string) {
  const proto = (connection as unknown as { _protocol: ChannelOpenFail })._protocol;
  const send = proto.channelOpenFail.bind(proto);
  proto.channelOpenFail = (remote, _reason, _description) => {
    proto.channelOpenFail = send;
    send(remote, 2, description);
  };
}
type ChannelOpenFail = { channelOpenFail(remote: number, reason: number, description: string): void };

function socketOf(connection: Connection): Socket | undefined {
  return (connection as unknown as { _sock?: Socket })._sock;
}

function jumpConfig(over: Partial<JumpConfig> = {}): JumpConfig {
  const [config] = configSchema.parse({
    jumps: [
      {
        name: 'fake-jump',
        host: '127.0.0.1',
        port: jump.port,
        username: 'triage',
        privateKeyPath: clientKeyPath,
        hostKeyFingerprints: [jump.hostKeyFingerprint],
        readyTimeoutMs: 3000,
        ...over,
      },
    ],
  }).jumps;
  if (!config) throw new Error('no jump parsed');
  return config;
}

function startPool(over: Partial<JumpConfig> = {}): JumpPool {
  pool = createJumpPool({
    jumps: [jumpConfig(over)],
    timeoutMs: 3000,
    createSsh: () => {
      const ssh = new NodeSSH();
      built.push(ssh);
      return ssh;
    },
  });
  return pool;
}

/** The ConnectFailure a promise rejects with (fails the test if it resolves or throws another). */
async function failureOf(promise: Promise<unknown>): Promise<ConnectFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectFailure);
  return error as ConnectFailure;
}

describe('jump pool against an in-process ssh2 server', () => {
  test('a pinned host key that differs: JUMP_HOST_KEY_MISMATCH, no authentication attempted', async () => {
    const other = utils.generateKeyPairSync('ed25519');
    const p = startPool({ hostKeyFingerprints: [fingerprintOf(publicBlob(other.public))] });
    const connectionsBefore = jump.connections;
    const closedBefore = jump.closed;
    const failure = await failureOf(
      p.connector('fake-jump').ready?.(deadlineSignal(5000)) ?? Promise.resolve(),
    );
    expect(failure).toMatchObject({ kind: 'jump', jumpCode: 'JUMP_HOST_KEY_MISMATCH' });
    expect(failure.message).toContain(jump.hostKeyFingerprint);
    expect(jump.connections).toBe(connectionsBefore + 1);
    // Barrier: the server saw that connection end; it never got as far as authentication.
    await waitFor(() => jump.closed > closedBefore, { what: 'the refused connection to close' });
    expect(jump.authAttempts).toBe(0);
    expect(p.stats('fake-jump')).toMatchObject({ connectsStarted: 1, connected: false, channelsOpened: 0 });
    expect(built).toHaveLength(1);
    expect(built[0]?.connection).toBeNull();
  });

  test('the jump refuses our key: JUMP_AUTH_FAILED after a publickey attempt', async () => {
    jump.acceptAuth = false;
    const before = jump.authAttempts;
    const p = startPool();
    const failure = await failureOf(
      p.connector('fake-jump').ready?.(deadlineSignal(5000)) ?? Promise.resolve(),
    );
    expect(failure).toMatchObject({ kind: 'jump', jumpCode: 'JUMP_AUTH_FAILED' });
    expect(failure.message).toMatch(/refused our key for triage/);
    expect(jump.authAttempts).toBeGreaterThan(before);
    expect(p.stats('fake-jump')).toMatchObject({ connected: false, channelsOpened: 0 });
  });

  test.for([
    { said: 'Connection refused', kind: 'refused', jumpCode: undefined },
    { said: 'No route to host', kind: 'unreachable', jumpCode: undefined },
    { said: 'administratively prohibited: open failed', kind: 'jump', jumpCode: 'JUMP_CHANNEL_REFUSED' },
  ])('a direct-tcpip open the jump rejects ("$said"): $kind', async ({ said, kind, jumpCode }) => {
    jump.onOpen = () => ({ accept: false, description: said });
    const p = startPool();
    const failure = await failureOf(p.connector('fake-jump').open('192.0.2.10', 3389, deadlineSignal(5000)));
    expect(failure.kind).toBe(kind);
    expect(failure.jumpCode).toBe(jumpCode);
    expect(failure.message).toContain('192.0.2.10:3389');
    expect(failure.message).toContain(said);
    // The SSH connection itself is fine and stays up for the next probe.
    expect(p.stats('fake-jump')).toMatchObject({ connected: true, connectsStarted: 1, channelsOpened: 0 });
  });

  test('MaxSessions-style: past two channels the jump says "open failed"; the pool keeps its one connection', async () => {
    jump.onOpen = (nth) => (nth < 2 ? { accept: true } : { accept: false, description: 'open failed' });
    const p = startPool();
    const connector = p.connector('fake-jump');
    const signal = deadlineSignal(5000);
    const first = await connector.open('192.0.2.10', 3389, signal);
    const second = await connector.open('192.0.2.11', 3389, signal);
    const third = await failureOf(connector.open('192.0.2.12', 3389, signal));
    expect(third).toMatchObject({ kind: 'jump', jumpCode: 'JUMP_CHANNEL_REFUSED' });
    expect(third.message).toMatch(/refused to open a channel/);
    expect(p.stats('fake-jump')).toMatchObject({
      connectsStarted: 1,
      connected: true,
      channelsOpened: 2,
      channelsOpen: 2,
    });
    first.destroy();
    second.destroy();
    expect(p.stats('fake-jump').channelsOpen).toBe(0);
  });

  test('an open the jump never answers ends at the deadline with a timeout, not a hang', async () => {
    jump.onOpen = () => 'never';
    const p = startPool();
    await p.connector('fake-jump').ready?.(deadlineSignal(5000));
    const started = performance.now();
    const failure = await failureOf(p.connector('fake-jump').open('192.0.2.10', 3389, deadlineSignal(300)));
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toMatch(/no answer before the deadline \(stage: connect\)/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('a jump that goes silent mid-channel: the RDP probe times out at its deadline, the channel is closed', async () => {
    jump.onOpen = () => ({ accept: true, silent: true });
    const p = startPool();
    const started = performance.now();
    const finding = await probeRdp(
      { host: '192.0.2.10', port: 3389, displayName: 'srv-fin-02' },
      { connector: p.connector('fake-jump'), signal: deadlineSignal(500) },
    );
    expect(finding).toMatchObject({ probe: 'rdp', status: 'timeout', code: 'RDP_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(p.stats('fake-jump')).toMatchObject({ channelsOpened: 1, channelsOpen: 0 });
  });
});
