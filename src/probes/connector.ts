import type { Duplex } from 'node:stream';
import type { FindingCode } from './finding-codes.js';

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
  /** For `jump` failures: which JUMP_* finding code describes it. */
  readonly jumpCode: JumpFailureCode | undefined;

  constructor(
    kind: ConnectFailureKind,
    message: string,
    options?: { cause?: unknown; jumpCode?: JumpFailureCode },
  ) {
    super(message, options);
    this.kind = kind;
    this.jumpCode = options?.jumpCode ?? (kind === 'jump' ? 'JUMP_UNREACHABLE' : undefined);
  }
}

export type JumpFailureCode = Extract<FindingCode, `JUMP_${string}`>;

/**
 * Opens a byte stream to host:port — directly from this process, or as a direct-tcpip tunnel
 * through a jump. Probes speak their protocol over whatever this returns, so the same probe code
 * runs in both modes. Rejects with `ConnectFailure`; honours `signal` (the probe's deadline).
 */
export interface Connector {
  /** `direct` or the jump's name, for messages. */
  readonly label: string;
  open(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
  /**
   * Name → addresses as seen from where this connector's tunnels start (the jump's site resolver).
   * Absent for the direct connector, which uses the system resolver.
   */
  resolve?: (name: string, signal: AbortSignal) => Promise<string[]>;
  /** Makes sure the path is usable (jump connected, host key verified); rejects with ConnectFailure. */
  ready?: (signal: AbortSignal) => Promise<void>;
}
