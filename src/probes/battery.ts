import { ConnectFailure, type Connector } from './connector.js';
import type { Finding, ProbeKind } from './finding.js';
import { probeGateway } from './gateway.js';
import type { ProbeTarget } from './probe-target.js';
import { probeRdp } from './rdp-negotiate.js';
import { probeTcp } from './tcp.js';
import { probeTls } from './tls-cert.js';

export type NetworkProbe = Exclude<ProbeKind, 'dns' | 'jump'>;

export interface BatteryOptions {
  connector: Connector;
  /** Deadline of each probe in ms, counted from `startedAt` (time spent on DNS is included). */
  timeouts: Record<NetworkProbe, number>;
  startedAt: number;
  signal: AbortSignal;
  emit: (finding: Finding) => void;
  /** Called once per jump-level failure seen by a probe (the connection to the jump broke). */
  onJumpFailure?: (failure: ConnectFailure) => void;
  extraCa?: string[];
  expiringSoonDays?: number;
  now?: () => number;
}

/**
 * Runs the network probes of one resolved target in parallel, each under its own deadline, and
 * emits each Finding as soon as it is ready. Resolves when the slowest probe is done, which is at
 * its deadline at the latest.
 */
export async function runBattery(
  target: ProbeTarget,
  probes: NetworkProbe[],
  options: BatteryOptions,
): Promise<void> {
  const { timeouts, startedAt, signal, emit, now = performance.now.bind(performance) } = options;
  const connector = watchJump(options.connector, options.onJumpFailure);
  const deadline = (kind: NetworkProbe) =>
    AbortSignal.any([
      signal,
      AbortSignal.timeout(Math.max(1, Math.ceil(timeouts[kind] - (now() - startedAt)))),
    ]);
  const tlsOptions = {
    ...(options.extraCa && { extraCa: options.extraCa }),
    ...(options.expiringSoonDays !== undefined && { expiringSoonDays: options.expiringSoonDays }),
  };
  // On a gateway the certificate comes from the gateway probe's own connection.
  const kinds = probes.includes('gateway') ? probes.filter((kind) => kind !== 'tls') : probes;
  const runs = kinds.map((kind): Promise<Finding> => {
    const probeSignal = deadline(kind);
    switch (kind) {
      case 'tcp':
        return probeTcp(target, { connector, signal: probeSignal });
      case 'rdp':
        return probeRdp(target, { connector, signal: probeSignal });
      case 'tls':
        return probeTls(target, {
          connector,
          signal: probeSignal,
          mode: 'rdp',
          ...tlsOptions,
        });
      default:
        return probeGateway(target, {
          connector,
          signal: probeSignal,
          ...tlsOptions,
          ...(probes.includes('tls') && { onCertificate: emit }),
        });
    }
  });
  await Promise.all(runs.map((run) => run.then(emit)));
}

/** Passes jump-level failures (lost connection, refused channel) to `onFailure` as they happen. */
function watchJump(connector: Connector, onFailure?: (failure: ConnectFailure) => void): Connector {
  if (!onFailure) return connector;
  return {
    ...connector,
    open: async (host, port, signal) => {
      try {
        return await connector.open(host, port, signal);
      } catch (error) {
        if (error instanceof ConnectFailure && error.kind === 'jump') onFailure(error);
        throw error;
      }
    },
  };
}
