import type { Duplex } from 'node:stream';

/** Why a connection could not be opened; probes turn these into Finding codes. */
export const CONNECT_FAILURES = [
  'refused',
  'unreachable',
  'timeout',
  'dns',
  'reset',
  'jump',
  'other',
] as const;
export type ConnectFailureKind = (typeof CONNECT_FAILURES)[number];

export class ConnectFailure extends Error {
  override name = 'ConnectFailure';
  readonly kind: ConnectFailureKind;

  constructor(kind: ConnectFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/**
 * Opens a byte stream to host:port — directly from this process, or as a direct-tcpip tunnel
 * through a jump. Probes speak their protocol over whatever this returns, so the same probe code
 * runs in both modes. Rejects with `ConnectFailure`; honours `signal` (the probe's deadline).
 */
export interface Connector {
  /** `direct` or the jump's name, for messages. */
  readonly label: string;
  open(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
}
