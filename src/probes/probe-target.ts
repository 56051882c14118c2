import { isIP } from 'node:net';

/** Where a probe goes: an address or name, a port, and the name the user wrote (for messages). */
export interface ProbeTarget {
  host: string;
  port: number;
  /** The name as the user wrote it (`srv-fin-02`), when `host` is a resolved address. */
  displayName?: string;
}

export function describeTarget(target: ProbeTarget): string {
  return hostPort(target.displayName ?? target.host, target.port);
}

/** `host:port`, with an IPv6 literal in brackets (`[::1]:3389`, not `::1:3389`). */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
