import type { Duplex } from 'node:stream';
import type { Finding, FindingStatus } from '../report/finding.js';
import { ConnectFailure, type ConnectFailureKind, type Connector } from './connector.js';
import { describeTarget, type ProbeTarget } from './probe-target.js';

const OUTCOMES: Record<ConnectFailureKind, { status: FindingStatus; code: string; say: string }> = {
  refused: { status: 'fail', code: 'TCP_REFUSED', say: 'refused (nothing listening, or a firewall rejects)' },
  unreachable: {
    status: 'fail',
    code: 'TCP_UNREACHABLE',
    say: 'no route to host (host down or wrong address)',
  },
  timeout: {
    status: 'timeout',
    code: 'TCP_TIMEOUT',
    say: 'no answer before the deadline (packets dropped?)',
  },
  dns: { status: 'fail', code: 'TCP_DNS_FAILED', say: 'name did not resolve' },
  reset: { status: 'fail', code: 'TCP_RESET', say: 'connection reset' },
  jump: { status: 'skipped', code: 'TCP_ERROR', say: 'not checked: the jump connection failed' },
  other: { status: 'fail', code: 'TCP_ERROR', say: 'connection failed' },
};

/** Can a TCP connection to the RDP port be opened? Open / refused / unreachable / timeout, with latency. */
export async function probeTcp(
  target: ProbeTarget,
  {
    connector,
    signal,
    keep,
    now = performance.now.bind(performance),
  }: {
    connector: Connector;
    signal: AbortSignal;
    /** Takes the open connection over instead of closing it when it returns true (spare-connection.ts). */
    keep?: (stream: Duplex) => boolean;
    now?: () => number;
  },
): Promise<Finding> {
  const started = now();
  const where = describeTarget(target);
  try {
    const stream = await connector.open(target.host, target.port, signal);
    const ms = Math.round(now() - started);
    if (!keep?.(stream)) stream.destroy();
    return {
      probe: 'tcp',
      target: where,
      status: 'ok',
      code: 'TCP_OPEN',
      summary: `TCP ${where} open (${ms} ms)`,
      ms,
    };
  } catch (error) {
    const ms = Math.round(now() - started);
    const kind = error instanceof ConnectFailure ? error.kind : 'other';
    const outcome = OUTCOMES[kind];
    return {
      probe: 'tcp',
      target: where,
      status: outcome.status,
      code: outcome.code,
      summary: `TCP ${where} ${outcome.say}`,
      detail: { error: error instanceof Error ? error.message : String(error), via: connector.label },
      ms,
    };
  }
}
