import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { NodeSSH, type Config as SshConfig } from 'node-ssh';
import type { Client } from 'ssh2';
import type { JumpConfig } from '../config/schema.js';
import { deadlineSignal } from '../deadline-signal.js';
import { TriageError } from '../errors.js';
import { raceAbort } from '../race-abort.js';
import { ConnectFailure, type Connector } from './connector.js';
import { checkHostKey, type HostKeyVerdict, parseKnownHosts } from './host-key.js';
import { readJumpResolvConf } from './jump-resolv-conf.js';
import { createLimiter } from './limiter.js';
import { openTunnel } from './tunnel.js';
import { createTunnelResolver, DnsLookupError } from './tunnel-resolver.js';

export interface JumpStats {
  /** SSH connections this pool started to the jump (handshakes, not channels). */
  connectsStarted: number;
  connected: boolean;
  channelsOpened: number;
  channelsOpen: number;
}

export interface JumpPool {
  /** The Connector for a configured jump; throws TriageError for an unknown name. */
  connector(name: string): Connector;
  stats(name: string): JumpStats;
  /** Ends every connection; later opens fail. */
  close(): Promise<void>;
}

export interface JumpPoolOptions {
  jumps: JumpConfig[];
  /** Default handshake / DNS budget when a jump sets none (the probe timeout). */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Seam for tests of the pool's own logic: builds the SSH client (node-ssh by default). */
  createSsh?: () => NodeSSH;
}

const BACKOFF_MIN_MS = 500;
/** Channel opens in flight to one destination (host:port) at once. */
const PENDING_PER_TARGET = 8;
const BACKOFF_MAX_MS = 30_000;

/**
 * One pooled SSH connection per jump, opened lazily on first use and shared by every triage.
 * Opening is single-flight (at most one handshake per jump at a time: sshd's MaxStartups drops
 * bursts of unauthenticated connections, lab-notes §1), failed opens back off exponentially, and
 * a lost connection is reopened by the next request. Host keys are always verified.
 */
export function createJumpPool({
  jumps,
  timeoutMs,
  env = process.env,
  now = Date.now,
  createSsh = () => new NodeSSH(),
}: JumpPoolOptions): JumpPool {
  const links = new Map(
    jumps.map((jump) => [jump.name, new JumpLink(jump, { timeoutMs, env, now, createSsh })]),
  );
  const get = (name: string) => {
    const link = links.get(name);
    if (!link) throw new TriageError('CONFIG_INVALID', `no jump named ${name} in the config`);
    return link;
  };
  return {
    connector: (name) => get(name).connector,
    stats: (name) => get(name).stats(),
    close: async () => {
      await Promise.all([...links.values()].map((link) => link.close()));
    },
  };
}

/**
 * ssh2's Channel.destroy() ends and closes the channel (sends EOF + CLOSE) without marking the
 * stream destroyed until sshd's CLOSE arrives; towards a hung server sshd keeps its half-closed
 * socket and that CLOSE may never come. Ended by us counts as closed.
 */
function isOpenOnOurSide(channel: Duplex): boolean {
  return !channel.destroyed && !channel.writableEnded;
}

class JumpLink {
  readonly connector: Connector;
  #jump: JumpConfig;
  #options: Required<Omit<JumpPoolOptions, 'jumps'>>;
  #ssh: NodeSSH | null = null;
  #client: Client | null = null;
  #connecting: Promise<Client> | null = null;
  #failure: { error: ConnectFailure; at: number; delayMs: number } | null = null;
  #closed = false;
  #connectsStarted = 0;
  #channelsOpened = 0;
  /** Channels handed out and not yet closed by either side. */
  #channels = new Set<Duplex>();
  #pendingOpens: ReturnType<typeof createLimiter>;
  #perTarget = new Map<string, ReturnType<typeof createLimiter>>();
  #resolvConf: Promise<{ servers: string[]; search: string[] }> | null = null;

  constructor(jump: JumpConfig, options: Required<Omit<JumpPoolOptions, 'jumps'>>) {
    this.#jump = jump;
    this.#options = options;
    this.#pendingOpens = createLimiter(jump.maxPendingChannels);
    const resolve = createTunnelResolver({
      servers: jump.dns.servers.length > 0 ? jump.dns.servers : () => this.#discoverResolvConf(),
      search: jump.dns.search,
      open: (address, port, signal) => this.#open(address, port, signal),
      timeoutMs: jump.dns.timeoutMs ?? options.timeoutMs,
      now: options.now,
    });
    this.connector = {
      label: jump.name,
      open: async (host, port, signal) => {
        const address = isIP(host) !== 0 ? host : await this.#resolveForOpen(resolve, host, signal);
        return this.#open(address, port, signal);
      },
      resolve,
      ready: async (signal) => {
        await this.#acquire(signal);
      },
    };
  }

  stats(): JumpStats {
    return {
      connectsStarted: this.#connectsStarted,
      connected: this.#client !== null,
      channelsOpened: this.#channelsOpened,
      channelsOpen: [...this.#channels].filter(isOpenOnOurSide).length,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connecting = this.#connecting;
    this.#drop();
    if (connecting)
      await connecting.then(
        (client) => client.end(),
        () => {},
      );
  }

  async #resolveForOpen(
    resolve: (n: string, s: AbortSignal) => Promise<string[]>,
    host: string,
    signal: AbortSignal,
  ) {
    try {
      const [first] = await resolve(host, signal);
      if (first === undefined) throw new DnsLookupError('ENODATA', `${host} has no address`);
      return first;
    } catch (error) {
      if (error instanceof ConnectFailure) throw error;
      if (signal.aborted)
        throw new ConnectFailure('timeout', `${host}: name lookup did not finish before the deadline`);
      throw new ConnectFailure('dns', `${host}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** A tunnel to an IP literal (never a name: sshd would resolve it with a blocking call). */
  async #open(address: string, port: number, signal: AbortSignal): Promise<Duplex> {
    const client = await this.#acquire(signal);
    // Two bounds on opens in flight: per destination (a slow or SYN-dropping host must not hold
    // every slot and starve the others) and per jump (sshd opens a socket for each).
    const key = `${address}:${port}`;
    const perTarget = this.#perTarget.get(key) ?? createLimiter(PENDING_PER_TARGET);
    this.#perTarget.set(key, perTarget);
    const queued = () =>
      new ConnectFailure('timeout', `${address}:${port}: no answer before the deadline (stage: queued)`);
    let releaseTarget: (() => void) | null = null;
    let releaseJump: (() => void) | null = null;
    let channel: Duplex;
    try {
      releaseTarget = await perTarget.acquire(signal).catch(() => {
        throw queued();
      });
      releaseJump = await this.#pendingOpens.acquire(signal).catch(() => {
        throw queued();
      });
      channel = await openTunnel(client, address, port, signal);
    } finally {
      releaseJump?.();
      releaseTarget?.();
      if (perTarget.active === 0 && perTarget.waiting === 0) this.#perTarget.delete(key);
    }
    this.#channelsOpened++;
    if (this.#channels.size >= 1024)
      for (const old of this.#channels) if (!isOpenOnOurSide(old)) this.#channels.delete(old);
    this.#channels.add(channel);
    // Cancelling the triage closes its channels even if the probe forgets to.
    const onAbort = () => channel.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    channel.once('close', () => {
      this.#channels.delete(channel);
      signal.removeEventListener('abort', onAbort);
    });
    return channel;
  }

  async #acquire(signal: AbortSignal): Promise<Client> {
    if (this.#closed) throw new ConnectFailure('jump', `jump ${this.#jump.name} is closed`);
    if (this.#client) return this.#client;
    if (!this.#connecting) {
      const failure = this.#failure;
      const wait = failure ? failure.at + failure.delayMs - this.#options.now() : 0;
      if (failure && wait > 0) {
        throw new ConnectFailure(
          'jump',
          `${failure.error.message} (next attempt in ${Math.ceil(wait / 1000)} s)`,
          {
            jumpCode: failure.error.jumpCode ?? 'JUMP_UNREACHABLE',
            cause: failure.error,
          },
        );
      }
      this.#connecting = this.#connect().finally(() => {
        this.#connecting = null;
      });
      // Nobody may be waiting when it fails (every caller aborted): keep that rejection handled.
      this.#connecting.catch(() => {});
    }
    try {
      return await raceAbort(this.#connecting, signal);
    } catch (error) {
      if (error instanceof ConnectFailure) throw error;
      throw new ConnectFailure(
        'jump',
        `jump ${this.#jump.name} (${this.#where()}): no SSH connection before the deadline (stage: jump-handshake)`,
        { jumpCode: 'JUMP_UNREACHABLE' },
      );
    }
  }

  #where() {
    return `${this.#jump.host}:${this.#jump.port}`;
  }

  async #connect(): Promise<Client> {
    this.#connectsStarted++;
    let verdict: HostKeyVerdict | null = null;
    const ssh = this.#options.createSsh();
    try {
      const config = await this.#sshConfig((result) => {
        verdict = result;
      });
      await ssh.connect(config);
    } catch (error) {
      ssh.dispose();
      const failure = this.#classifyConnectError(error, verdict);
      const delayMs = this.#failure ? Math.min(this.#failure.delayMs * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
      this.#failure = { error: failure, at: this.#options.now(), delayMs };
      throw failure;
    }
    const client = ssh.connection;
    if (!client) throw new ConnectFailure('jump', `jump ${this.#jump.name}: connection closed at once`);
    if (this.#closed) {
      ssh.dispose();
      throw new ConnectFailure('jump', `jump ${this.#jump.name} is closed`);
    }
    this.#failure = null;
    this.#ssh = ssh;
    this.#client = client;
    // node-ssh removes its error listener after `ready`: without ours a later socket error
    // (sshd killed, keepalive timeout) would be an uncaught exception.
    client.on('error', () => {});
    const forget = () => {
      if (this.#client === client) {
        this.#ssh = null;
        this.#client = null;
        this.#resolvConf = null;
      }
    };
    client.on('close', forget);
    client.on('end', forget);
    return client;
  }

  #drop() {
    this.#ssh?.dispose();
    this.#ssh = null;
    this.#client = null;
    this.#resolvConf = null;
  }

  async #sshConfig(onVerdict: (v: HostKeyVerdict) => void): Promise<SshConfig> {
    const jump = this.#jump;
    const where = this.#where();
    const knownHosts = jump.knownHostsPath
      ? parseKnownHosts(
          await this.#readSecretFile(jump.knownHostsPath, 'known_hosts file'),
          jump.host,
          jump.port,
        )
      : null;
    const privateKey = jump.privateKeyPath
      ? await this.#readSecretFile(jump.privateKeyPath, 'private key')
      : undefined;
    const passphrase = jump.passphraseEnv ? this.#options.env[jump.passphraseEnv] : undefined;
    if (jump.passphraseEnv && passphrase === undefined)
      throw new ConnectFailure(
        'jump',
        `jump ${jump.name}: environment variable ${jump.passphraseEnv} (the key's passphrase) is not set`,
        {
          jumpCode: 'JUMP_AUTH_FAILED',
        },
      );
    const agent = jump.agent ? this.#options.env.SSH_AUTH_SOCK : undefined;
    if (jump.agent && !agent && !privateKey)
      throw new ConnectFailure('jump', `jump ${jump.name}: agent: true but SSH_AUTH_SOCK is not set`, {
        jumpCode: 'JUMP_AUTH_FAILED',
      });
    return {
      host: jump.host,
      port: jump.port,
      username: jump.username,
      ...(privateKey !== undefined && { privateKey }),
      ...(passphrase !== undefined && { passphrase }),
      ...(agent !== undefined && { agent }),
      readyTimeout: jump.readyTimeoutMs ?? this.#options.timeoutMs,
      keepaliveInterval: jump.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      // Always set: without it ssh2 accepts any host key (STYLE 17).
      hostVerifier: (key: Buffer) => {
        const result = checkHostKey(key, {
          jumpName: jump.name,
          where,
          fingerprints: jump.hostKeyFingerprints,
          knownHosts,
        });
        onVerdict(result);
        return result.ok;
      },
    };
  }

  async #readSecretFile(path: string, what: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new ConnectFailure(
        'jump',
        `jump ${this.#jump.name}: cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { jumpCode: what === 'private key' ? 'JUMP_AUTH_FAILED' : 'JUMP_HOST_KEY_UNKNOWN', cause: error },
      );
    }
  }

  #classifyConnectError(error: unknown, verdict: HostKeyVerdict | null): ConnectFailure {
    if (error instanceof ConnectFailure) return error;
    const name = this.#jump.name;
    const where = this.#where();
    const text = error instanceof Error ? error.message : String(error);
    const v = verdict as HostKeyVerdict | null;
    if (v && !v.ok) return new ConnectFailure('jump', v.message, { jumpCode: v.code, cause: error });
    if (/authentication methods failed|permission denied/i.test(text))
      return new ConnectFailure(
        'jump',
        `jump ${name} (${where}) refused our key for ${this.#jump.username}: ${text}`,
        {
          jumpCode: 'JUMP_AUTH_FAILED',
          cause: error,
        },
      );
    if (/passphrase|encrypted|cannot parse privatekey|unsupported key/i.test(text))
      return new ConnectFailure('jump', `jump ${name}: the private key cannot be used (${text})`, {
        jumpCode: 'JUMP_AUTH_FAILED',
        cause: error,
      });
    const stage = /handshake|timed out/i.test(text) ? ' (stage: jump-handshake)' : '';
    return new ConnectFailure('jump', `jump ${name} (${where}) unreachable: ${text}${stage}`, {
      jumpCode: 'JUMP_UNREACHABLE',
      cause: error,
    });
  }

  /**
   * With no `dns.servers` in config, the jump's own /etc/resolv.conf says which resolver the site
   * uses. It is read once per connection over SFTP: one short session channel (well below
   * MaxSessions), a fixed path, no command and no user text.
   */
  #discoverResolvConf(): Promise<{ servers: string[]; search: string[] }> {
    if (!this.#resolvConf) {
      const budget = this.#jump.dns.timeoutMs ?? this.#options.timeoutMs;
      this.#resolvConf = this.#acquire(deadlineSignal(budget))
        .then(() => {
          const ssh = this.#ssh;
          if (!ssh) throw new DnsLookupError('ESERVFAIL', `jump ${this.#jump.name} is not connected`);
          return readJumpResolvConf(ssh, budget);
        })
        .then((conf) => ({
          servers: conf.servers,
          search: this.#jump.dns.search.length > 0 ? this.#jump.dns.search : conf.search,
        }));
      this.#resolvConf.catch(() => {
        this.#resolvConf = null;
      });
    }
    return this.#resolvConf;
  }
}
