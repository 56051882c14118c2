import type { Duplex } from 'node:stream';
import { deadlineSignal } from '../deadline-signal.js';
import type { Finding, ProbeKind } from '../report/finding.js';
import { ConnectFailure, type Connector } from './connector.js';
import { probeGateway } from './gateway.js';
import { probeNlaRequired } from './nla-required.js';
import { probeNtlmInfo, readNtlmOverTls } from './ntlm-info.js';
import { openWhen } from './open-when.js';
import type { ProbeTarget } from './probe-target.js';
import { probeRdp } from './rdp-negotiate.js';
import { createSpareConnection } from './spare-connection.js';
import { probeTcp } from './tcp.js';
import { probeTls, probeTlsAfterNegotiation, tlsFindingWithoutNegotiation } from './tls-cert.js';
import { PROTOCOL } from './x224.js';

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
  // On a gateway the certificate comes from the gateway probe's own connection; on an RDP host
  // TLS continues on the rdp probe's connection after the negotiation, as a client's would.
  const combined = probes.includes('rdp') && probes.includes('tls');
  const kinds = probes.filter((kind) => !(kind === 'tls' && (combined || probes.includes('gateway'))));
  const key = (kind: string) => `${kind} ${target.host}:${target.port} ${target.displayName ?? ''}`;
  const shared = <T>(kind: NetworkProbe, run: Run<T>, settled: (value: T) => Promise<unknown>) =>
    joinProbe(options.connector, key(kind), {
      budgetMs: remaining(kind),
      signal,
      ...(options.onJumpFailure && { onJumpFailure: options.onJumpFailure }),
      run,
      settled,
    });
  // The tcp probe's connection, once open, carries the NLA check's offer (no extra connection);
  // it lives as long as the tcp probe's deadline, so only when that is not the shorter one.
  const spare =
    kinds.includes('tcp') && kinds.includes('rdp') && timeouts.tcp >= timeouts.rdp
      ? createSpareConnection()
      : null;
  const runs = kinds.flatMap((kind): Promise<Finding | null>[] => {
    switch (kind) {
      case 'gateway':
        return [
          probeGateway(target, {
            connector: watchJump(options.connector, options.onJumpFailure),
            signal: AbortSignal.any([signal, deadlineSignal(remaining(kind))]),
            ...tlsOptions,
            ...(probes.includes('tls') && { onCertificate: emit }),
          }),
        ];
      case 'tcp':
        return [
          shared(
            kind,
            (connector, s) =>
              probeTcp(target, {
                connector,
                signal: s,
                ...(spare && { keep: (stream: Duplex) => spare.offer(stream) }),
              }),
            (f) => (spare ? spare.released : Promise.resolve(f)),
          ).finally(() => spare?.none()),
        ];
      case 'ntlm':
        // With the rdp probe it starts once the server selected CredSSP (ntlmCheck below).
        return probes.includes('rdp') ? [] : [ntlmProbe()];
      case 'tls':
        return [
          shared(
            kind,
            (connector, s) => probeTls(target, { connector, signal: s, mode: 'rdp', ...tlsOptions }),
            (f) => Promise.resolve(f),
          ),
        ];
      default: {
        // "NLA required" vs "NLA offered": a second connection (the tcp probe's, when it runs)
        // opens next to the first one; the TLS-only offer goes out on it once the server selected
        // CredSSP, so its answer comes with the certificate check, not a round trip later. A
        // server that selects TLS or standard RDP security already said NLA is not required: the
        // second connection closes unused.
        const nlaCheck = (first: Promise<Finding>) =>
          afterCredSsp(
            'rdp-nla',
            kind,
            (connector, s, needed) =>
              probeNlaRequired(target, {
                connector: spare ? spare.connector(connector) : connector,
                signal: s,
                now,
                when: needed,
              }),
            first,
            () => null,
            () => spare?.release(),
          );
        const withNtlm = (rdp: Promise<Finding>) => (probes.includes('ntlm') ? [ntlmCheck(rdp)] : []);
        if (!combined) {
          const rdp = shared(
            kind,
            (connector, s) => probeRdp(target, { connector, signal: s }),
            (f) => Promise.resolve(f),
          );
          return [rdp, nlaCheck(rdp), ...withNtlm(rdp)];
        }
        const withNtlmOnTls = probes.includes('ntlm');
        const pair = shared(
          kind,
          (connector, s) =>
            Promise.resolve(
              probeRdpThenTls(target, connector, s, { ...tlsOptions, now, ntlm: withNtlmOnTls }),
            ),
          (p) => Promise.allSettled([p.rdp, p.tls, p.ntlm]),
        );
        const rdp = pair.then((p) => p.rdp);
        // The CHALLENGE is read on the same connection, after the certificate: no extra connection.
        const ntlm = withNtlmOnTls
          ? [pair.then(async (p) => (await p.ntlm) ?? ntlmNotRead(await p.rdp))]
          : [];
        return [rdp, pair.then((p) => p.tls), nlaCheck(rdp), ...ntlm];
      }
    }
  });
  await Promise.all(runs.map((run) => run.then((finding) => finding && emit(finding))));

  function ntlmProbe(): Promise<Finding> {
    return shared(
      'ntlm',
      (connector, s) => probeNtlmInfo(target, { connector, signal: s, now }),
      (f) => Promise.resolve(f),
    );
  }

  /**
   * A check that means something only once the rdp probe saw CredSSP selected (NLA required or
   * not, the NTLM CHALLENGE). Its connection opens next to the rdp probe's and `run` sends its
   * offer once `needed` resolves true, so it costs no connect after that answer. When the server
   * selected something else this caller leaves it (the last one to leave closes its channel at
   * once) and the result is `otherwise(first)`; `release` runs either way when it is done.
   */
  function afterCredSsp<T, U>(
    name: string,
    budget: NetworkProbe,
    run: (connector: Connector, signal: AbortSignal, needed: Promise<boolean>) => Promise<T>,
    first: Promise<Finding>,
    otherwise: (finding: Finding) => U,
    release: () => void = () => {},
  ): Promise<T | U> {
    let decide = (_needed: boolean) => {};
    const needed = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    const leave = new AbortController();
    const check = joinProbe(options.connector, key(name), {
      budgetMs: remaining(budget),
      signal: AbortSignal.any([signal, leave.signal]),
      ...(options.onJumpFailure && { onJumpFailure: options.onJumpFailure }),
      run: (connector, s) => run(connector, s, needed),
      settled: (f) => Promise.resolve(f),
    });
    const drop = () => {
      decide(false);
      leave.abort();
      check.catch(() => {});
      release();
    };
    return first.then<T | U>(
      (finding) => {
        if (finding.code === 'RDP_NEG_NLA') {
          decide(true);
          return check.finally(release);
        }
        drop();
        return otherwise(finding);
      },
      (error: unknown) => {
        drop();
        throw error;
      },
    );
  }

  /** The machine's own account of itself (names, OS, clock), on a connection of its own. */
  function ntlmCheck(rdp: Promise<Finding>): Promise<Finding> {
    return afterCredSsp(
      'ntlm',
      'ntlm',
      (connector, s, needed) =>
        probeNtlmInfo(target, {
          connector: openWhen(connector, needed, 'no CredSSP offer sent'),
          signal: s,
          now,
        }),
      rdp,
      ntlmNotRead,
    );
  }
}

/** The ntlm Finding when there is no CHALLENGE to read: no CredSSP, or the connection failed before it. */
function ntlmNotRead(rdp: Finding): Finding {
  const base = { probe: 'ntlm' as const, target: rdp.target, status: 'skipped' as const, ms: rdp.ms };
  if (rdp.code === 'RDP_NEG_NLA')
    return {
      ...base,
      code: 'NTLM_FAILED',
      summary: `${rdp.target}: what the machine says about itself not read: TLS after the negotiation failed`,
      detail: { stage: 'tls', after: rdp.code },
    };
  const finished = rdp.code.startsWith('RDP_NEG_') && !rdp.code.startsWith('RDP_NEG_FAILURE');
  return {
    ...base,
    code: rdp.code === 'RDP_NOT_CONNECTED' ? 'NTLM_NOT_CONNECTED' : 'NTLM_NOT_OFFERED',
    summary: finished
      ? `${rdp.target} does not select CredSSP (NLA), so it says nothing about itself before logon`
      : `${rdp.target}: what the machine says about itself not read: the RDP negotiation did not finish (${rdp.code})`,
    detail: { stage: 'x224', after: rdp.code },
  };
}

type Run<T> = (connector: Connector, signal: AbortSignal) => Promise<T>;

/**
 * The rdp Finding as soon as the server answered, the tls Finding from the same connection, and
 * (with `ntlm`, when the server selected CredSSP) the ntlm Finding from the CredSSP step that
 * follows the certificate on that connection; null when there was none to read.
 */
function probeRdpThenTls(
  target: ProbeTarget,
  connector: Connector,
  signal: AbortSignal,
  {
    ntlm: withNtlm,
    ...options
  }: { extraCa?: string[]; expiringSoonDays?: number; now: () => number; ntlm: boolean },
): { rdp: Promise<Finding>; tls: Promise<Finding>; ntlm: Promise<Finding | null> } {
  const startedAt = options.now();
  let tls: Promise<Finding> | null = null;
  let ntlm: Promise<Finding> | null = null;
  let tlsDone = (): void => {};
  const tlsSettled = new Promise<void>((resolve) => {
    tlsDone = resolve;
  });
  const rdp = probeRdp(target, {
    connector,
    signal,
    handOver: (stream, answer) => {
      const credssp =
        withNtlm &&
        answer.kind === 'response' &&
        (answer.selectedProtocol === PROTOCOL.HYBRID || answer.selectedProtocol === PROTOCOL.HYBRID_EX);
      tls = probeTlsAfterNegotiation(stream, answer, target, {
        ...options,
        signal,
        startedAt,
        ...(credssp && {
          continueWith: (socket) => {
            ntlm = readNtlmOverTls(socket, target, { signal, now: options.now, startedAt }).finally(() => {
              socket.destroy();
              stream.destroy();
            });
            return true;
          },
        }),
      }).finally(tlsDone);
    },
  });
  const tlsFinding = rdp.then((finding) => tls ?? tlsFindingWithoutNegotiation(finding));
  return {
    rdp,
    tls: tlsFinding,
    ntlm: rdp.then(async () => {
      if (tls) await tlsSettled;
      return ntlm;
    }),
  };
}

interface SharedProbe {
  result: Promise<unknown>;
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
function joinProbe<T>(
  connector: Connector,
  key: string,
  {
    budgetMs,
    signal,
    onJumpFailure,
    run,
    settled,
  }: {
    budgetMs: number;
    signal: AbortSignal;
    onJumpFailure?: (failure: ConnectFailure) => void;
    run: Run<T>;
    /** Resolves when the probe's work is over (then later callers start a new one). */
    settled: (value: T) => Promise<unknown>;
  },
): Promise<T> {
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
    entry.result = run(watched, AbortSignal.any([controller.signal, deadlineSignal(budgetMs)])).finally(
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
  return (entry.result as Promise<T>).then(
    (value) => {
      // The caller stays subscribed until the work is over (TLS after the rdp answer, say).
      void settled(value).then(() => {
        leave();
        if (entry.jumpFailure) onJumpFailure?.(entry.jumpFailure);
      });
      return value;
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
