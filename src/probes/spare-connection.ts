import type { Duplex } from 'node:stream';
import { raceAbort } from '../race-abort.js';
import type { Connector } from './connector.js';

/**
 * One probe's open connection passed on to another probe of the same target instead of a new
 * one: the tcp probe's connection, once open, carries the NLA check's TLS-only offer. An X.224
 * request needs a fresh connection, and this one is already there with the server's accept work
 * done (freerdp-shadow answers ~50 ms after a connect, ~2 ms after a request on an open
 * connection, measured on loopback) — and the host sees no more connections than before.
 */
export interface SpareConnection {
  /** Offered by the probe that opened it; false when nobody wants it any more (the offerer closes it). */
  offer(stream: Duplex): boolean;
  /** No connection will be offered (the probe failed, or it was another triage's shared probe). */
  none(): void;
  /** Hands out the spare once when there is one, and opens a new connection otherwise. */
  connector(base: Connector): Connector;
  /** Closes the spare if nobody took it; later offers are refused. */
  release(): void;
  /**
   * Settles at release. The offering probe stays subscribed until then: a tunnel closes when the
   * signal it was opened with aborts (jump-pool.ts), and a shared probe's signal aborts when its
   * last caller leaves.
   */
  readonly released: Promise<void>;
}

export function createSpareConnection(): SpareConnection {
  let settle: (stream: Duplex | null) => void = () => {};
  const offered = new Promise<Duplex | null>((resolve) => {
    settle = resolve;
  });
  let state: 'open' | 'taken' | 'released' = 'open';
  let spare: Duplex | null = null;
  let done: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    done = resolve;
  });
  return {
    released,
    offer(stream) {
      if (state !== 'open' || spare) return false;
      spare = stream;
      settle(stream);
      return true;
    },
    none: () => settle(null),
    connector: (base) => ({
      ...base,
      open: async (host, port, signal) => {
        const stream = await raceAbort(offered, signal).catch(() => null);
        if (stream && state === 'open' && !stream.destroyed) {
          state = 'taken';
          return stream;
        }
        return base.open(host, port, signal);
      },
    }),
    release() {
      if (state === 'open') {
        state = 'released';
        spare?.destroy();
      }
      settle(null);
      done();
    },
  };
}
