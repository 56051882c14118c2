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
  const remaining = (kind: NetworkProbe) => Math.max(1, Math.ceil(timeouts[kind] - (now() - startedAt)));
  const tlsOptions = {
    ...(options.extraCa && { extraCa: options.extraCa }),
    ...(options.expiringSoonDays !== undefined && { expiringSoonDays: options.expiringSoonDays }),
  };
  // On a gateway the certificate comes from the gateway probe's own connection.
  const kinds = probes.includes('gateway') ? probes.filter((kind) => kind !== 'tls') : probes;
  const runs = kinds.map((kind): Promise<Finding> => {
    if (kind === 'gateway') {
      const connector = watchJump(options.connector, options.onJumpFailure);
      return probeGateway(target, {
        connector,
        signal: AbortSignal.any([signal, AbortSignal.timeout(remaining(kind))]),
        ...tlsOptions,
        ...(probes.includes('tls') && { onCertificate: emit }),
      });
    }
    return joinProbe(options.connector, `${kind} ${target.host}:${target.port} ${target.displayName ?? ''}`, {
      budgetMs: remaining(kind),
      signal,
      ...(options.onJumpFailure && { onJumpFailure: options.onJumpFailure }),
      run: (connector, probeSignal) => {
        switch (kind) {
          case 'tcp':
            return probeTcp(target, { connector, signal: probeSignal });
          case 'rdp':
            return probeRdp(target, { connector, signal: probeSignal });
          default:
            return probeTls(target, { connector, signal: probeSignal, mode: 'rdp', ...tlsOptions });
        }
      },
    });
  });
  await Promise.all(runs.map((run) => run.then(emit)));
}

interface SharedProbe {
  result: Promise<Finding>;
  controller: AbortController;
  users: number;
  jumpFailure: ConnectFailure | null;
}

const inFlight = new WeakMap<Connector, Map<string, SharedProbe>>();

/**
 * Identical probes in flight at the same moment (same path, kind and target) are run once and
 * their Finding is shared: 200 people asking about the same host at once cost the host one probe,
 * not 200 (an RDP listener's accept backlog can be tiny: xrdp's is 2, lab-notes gotcha 4). Each
 * caller keeps its own cancellation: the shared probe is aborted (its channels closed) when the
 * last caller leaves; otherwise it ends at its own deadline.
 */
function joinProbe(
  connector: Connector,
  key: string,
  {
    budgetMs,
    signal,
    onJumpFailure,
    run,
  }: {
    budgetMs: number;
    signal: AbortSignal;
    onJumpFailure?: (failure: ConnectFailure) => void;
    run: (connector: Connector, signal: AbortSignal) => Promise<Finding>;
  },
): Promise<Finding> {
  let probes = inFlight.get(connector);
  if (!probes) {
    probes = new Map();
    inFlight.set(connector, probes);
  }
  let shared = probes.get(key);
  if (!shared) {
    const controller = new AbortController();
    const entry: SharedProbe = {
      controller,
      users: 0,
      jumpFailure: null,
      result: Promise.resolve(null as never),
    };
    const watched = watchJump(connector, (failure) => {
      entry.jumpFailure = failure;
    });
    const map = probes;
    entry.result = run(watched, AbortSignal.any([controller.signal, AbortSignal.timeout(budgetMs)])).finally(
      () => {
        if (map.get(key) === entry) map.delete(key);
      },
    );
    probes.set(key, entry);
    shared = entry;
  }
  const entry = shared;
  entry.users++;
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    signal.removeEventListener('abort', leave);
    entry.users--;
    if (entry.users === 0) entry.controller.abort();
  };
  if (signal.aborted) leave();
  else signal.addEventListener('abort', leave, { once: true });
  return entry.result.then(
    (finding) => {
      leave();
      if (entry.jumpFailure) onJumpFailure?.(entry.jumpFailure);
      return finding;
    },
    (error: unknown) => {
      leave();
      throw error;
    },
  );
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
