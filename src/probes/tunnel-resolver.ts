import type { Duplex } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { deadlineSignal } from '../deadline-signal.js';
import { raceAbort } from '../race-abort.js';
import { decodeAnswer, encodeQuery, isDnsName, RECORD_TYPES } from './dns-message.js';

/** A resolver error with the same `code`s node's `dns` module uses, so `probeDns` reads both alike. */
export class DnsLookupError extends Error {
  override name = 'DnsLookupError';
  readonly code:
    | 'ENOTFOUND'
    | 'ENODATA'
    | 'ESERVFAIL'
    | 'EREFUSED'
    | 'ETIMEOUT'
    | 'ECONNREFUSED'
    | 'EBADRESP';
  constructor(code: DnsLookupError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

type Open = (address: string, port: number, signal: AbortSignal) => Promise<Duplex>;
interface Answer {
  addresses: string[];
  ttlMs: number;
}

const MAX_CACHE_MS = 10_000;
const NEGATIVE_CACHE_MS = 2_000;
const MAX_CACHE_ENTRIES = 1_000;

/**
 * Resolves names by asking the site's resolver itself, over DNS-over-TCP inside a direct-tcpip
 * tunnel to `server:53`. Why not let sshd resolve (forwardOut with a name)? sshd's getaddrinfo
 * blocks its whole main loop: with a slow DNS every other channel of the connection waits too,
 * 20 s in the lab (gotcha 8). A tunnel to an IP literal never blocks sshd, carries no user text
 * into any command, and gives the real rcode (NXDOMAIN vs SERVFAIL vs REFUSED), which
 * `getent` cannot (lab-notes §5). Answers are cached for min(TTL, 10 s) and identical lookups in
 * flight are shared, so 200 triages of the same host cost one query.
 */
export function createTunnelResolver({
  servers,
  search = [],
  open,
  timeoutMs,
  now = Date.now,
}: {
  /** Server addresses, or a function that discovers them (e.g. from the jump's resolv.conf). */
  servers: string[] | (() => Promise<{ servers: string[]; search: string[] }>);
  search?: string[];
  open: Open;
  timeoutMs: number;
  now?: () => number;
}) {
  // The least recently used name goes first past the bound; each entry's `until` is its DNS TTL.
  const cache = new LRUCache<string, { until: number; result: Promise<Answer> }>({ max: MAX_CACHE_ENTRIES });
  const settings = async () => (typeof servers === 'function' ? servers() : { servers, search });

  const lookupOnce = async (name: string): Promise<Answer> => {
    const { servers: list, search: suffixes } = await settings();
    if (list.length === 0) throw new DnsLookupError('ESERVFAIL', 'no DNS server known for this jump');
    // glibc's order with ndots:1: a dotted name as-is, a short name with each search suffix first.
    const candidates = name.includes('.')
      ? [name]
      : [...suffixes.map((suffix) => `${name}.${suffix.replace(/^\./, '')}`), name];
    let lastError: DnsLookupError | null = null;
    for (const candidate of candidates) {
      try {
        return await askServers(candidate, list);
      } catch (error) {
        if (!(error instanceof DnsLookupError) || error.code !== 'ENOTFOUND') throw error;
        lastError = error;
      }
    }
    throw lastError ?? new DnsLookupError('ENOTFOUND', `${name} does not exist (NXDOMAIN)`);
  };

  const askServers = async (name: string, list: string[]): Promise<Answer> => {
    let lastError: unknown;
    for (const server of list.slice(0, 3)) {
      try {
        return await ask(server, name);
      } catch (error) {
        lastError = error;
        // NXDOMAIN and NODATA are answers: the next server would say the same.
        if (error instanceof DnsLookupError && (error.code === 'ENOTFOUND' || error.code === 'ENODATA'))
          throw error;
      }
    }
    throw lastError;
  };

  const ask = async (server: string, name: string): Promise<Answer> => {
    const signal = deadlineSignal(timeoutMs);
    let stream: Duplex;
    try {
      stream = await open(server, 53, signal);
    } catch (error) {
      if (signal.aborted) throw new DnsLookupError('ETIMEOUT', `DNS server ${server} did not answer in time`);
      throw new DnsLookupError(
        'ECONNREFUSED',
        `cannot reach DNS server ${server}: ${(error as Error).message}`,
      );
    }
    try {
      const id = Math.floor(Math.random() * 0xfff0);
      const answers = await exchange(
        stream,
        [encodeQuery(id, name, RECORD_TYPES.A), encodeQuery(id + 1, name, RECORD_TYPES.AAAA)],
        signal,
      );
      const rcodes = answers.map((a) => a.rcode);
      if (rcodes.every((r) => r === 3))
        throw new DnsLookupError('ENOTFOUND', `${name} does not exist (NXDOMAIN from ${server})`);
      const bad = answers.find((a) => a.rcode !== 0 && a.rcode !== 3);
      if (bad)
        throw new DnsLookupError(
          bad.rcode === 5 ? 'EREFUSED' : 'ESERVFAIL',
          `DNS server ${server} answered ${bad.rcodeName} for ${name}`,
        );
      const addresses = answers.flatMap((a) => a.addresses);
      if (addresses.length === 0)
        throw new DnsLookupError('ENODATA', `${name} has no A/AAAA records (from ${server})`);
      const ttl = Math.min(...addresses.map((a) => a.ttl));
      return { addresses: [...new Set(addresses.map((a) => a.address))], ttlMs: ttl * 1000 };
    } catch (error) {
      if (error instanceof DnsLookupError) throw error;
      if (signal.aborted)
        throw new DnsLookupError('ETIMEOUT', `DNS server ${server} did not answer ${name} in time`);
      throw new DnsLookupError(
        'EBADRESP',
        `bad answer from DNS server ${server}: ${(error as Error).message}`,
      );
    } finally {
      stream.destroy();
    }
  };

  return function resolve(name: string, signal: AbortSignal): Promise<string[]> {
    if (!isDnsName(name)) return Promise.reject(new DnsLookupError('ENOTFOUND', `not a DNS name: ${name}`));
    const key = name.toLowerCase();
    const hit = cache.get(key);
    if (hit && hit.until > now())
      return raceAbort(
        hit.result.then((a) => a.addresses),
        signal,
      );
    const result = lookupOnce(key);
    const entry = { until: Number.POSITIVE_INFINITY, result };
    cache.set(key, entry);
    result.then(
      ({ ttlMs }) => {
        entry.until = now() + Math.min(ttlMs, MAX_CACHE_MS);
      },
      (error: unknown) => {
        const answered =
          error instanceof DnsLookupError && (error.code === 'ENOTFOUND' || error.code === 'ENODATA');
        entry.until = answered ? now() + NEGATIVE_CACHE_MS : 0;
      },
    );
    return raceAbort(
      result.then((a) => a.addresses),
      signal,
    );
  };
}

/** Writes the framed queries and reads as many framed answers (bounded to 64 KiB). */
function exchange(stream: Duplex, queries: Buffer[], signal: AbortSignal) {
  return new Promise<ReturnType<typeof decodeAnswer>[]>((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const answers: ReturnType<typeof decodeAnswer>[] = [];
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('close', onClose);
      stream.off('end', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > 65_536 * queries.length) {
        cleanup();
        reject(new RangeError('answer too long'));
        return;
      }
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const length = buffer.readUInt16BE(0);
        try {
          answers.push(decodeAnswer(buffer.subarray(2, 2 + length)));
        } catch (error) {
          cleanup();
          reject(error);
          return;
        }
        buffer = buffer.subarray(2 + length);
      }
      if (answers.length >= queries.length) {
        cleanup();
        resolve(answers);
      }
    };
    const onClose = () => {
      cleanup();
      reject(new Error('DNS server closed the connection'));
    };
    const onAbort = () => {
      cleanup();
      reject(new Error('aborted'));
    };
    stream.on('data', onData);
    stream.on('close', onClose);
    stream.on('end', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    stream.write(Buffer.concat(queries));
  });
}
