import { raceAbort } from '../race-abort.js';
import { ConnectFailure, type Connector } from './connector.js';

/**
 * A connector whose connections open at once but are handed over only if `when` resolves true: a
 * follow-up probe (the TLS-only offer, the NTLM CHALLENGE) that depends on the first negotiation's
 * answer gets its connection ready meanwhile, so it costs no extra connect after that answer.
 * Otherwise the connection closes unused (ConnectFailure 'other', `unneeded` called), or at the
 * deadline ('timeout').
 */
export function openWhen(
  connector: Connector,
  when: Promise<boolean>,
  notSent: string,
  unneeded: () => void = () => {},
): Connector {
  return {
    ...connector,
    open: async (host, port, signal) => {
      const stream = await connector.open(host, port, signal);
      const needed = await raceAbort(when, signal).catch(() => null);
      if (needed) return stream;
      stream.destroy();
      if (needed === false) unneeded();
      throw new ConnectFailure(needed === false ? 'other' : 'timeout', `${host}:${port}: ${notSent}`);
    },
  };
}
