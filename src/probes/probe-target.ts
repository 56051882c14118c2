/** Where a probe goes: an address or name, a port, and the name the user wrote (for messages). */
export interface ProbeTarget {
  host: string;
  port: number;
  /** The name as the user wrote it (`srv-fin-02`), when `host` is a resolved address. */
  displayName?: string;
}

export function describeTarget(target: ProbeTarget): string {
  return `${target.displayName ?? target.host}:${target.port}`;
}
