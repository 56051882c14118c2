import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Finding } from '../report/finding.js';
import { certificateSummary, describePeer, judgeCertificate } from './certificate.js';
import { ConnectFailure, type Connector } from './connector.js';
import { findingFinisher } from './finish-finding.js';
import { describeTarget, type ProbeTarget } from './probe-target.js';
import { exchange } from './rdp-negotiate.js';
import { startTls } from './start-tls.js';
import {
  decodeConnectionConfirm,
  encodeConnectionRequest,
  type NegotiationAnswer,
  PROTOCOL,
} from './x224.js';

export interface TlsProbeOptions {
  connector: Connector;
  signal: AbortSignal;
  /** `rdp`: X.224 negotiation first, then TLS on the same connection; `https`: TLS at once (443). */
  mode: 'rdp' | 'https';
  /** Extra trusted CA certificates (PEM), e.g. the company's internal CA. */
  extraCa?: string[];
  expiringSoonDays?: number;
  clock?: () => Date;
  now?: () => number;
}

/**
 * The certificate an RDP listener or a gateway presents: subject, SANs, issuer, validity,
 * self-signed, name match, days to expiry, protocol and cipher. On RDP, TLS starts on the same
 * connection after a negotiation that selected TLS or CredSSP (CredSSP runs inside TLS).
 */
export async function probeTls(target: ProbeTarget, options: TlsProbeOptions): Promise<Finding> {
  const { connector, signal, mode, extraCa = [], expiringSoonDays = 30 } = options;
  const { clock = () => new Date(), now = performance.now.bind(performance) } = options;
  const started = now();
  const where = describeTarget(target);
  const name = target.displayName ?? target.host;
  const finish = findingFinisher('tls', where, now, started);

  let stream: Duplex;
  try {
    stream = await connector.open(target.host, target.port, signal);
  } catch (error) {
    const kind = error instanceof ConnectFailure ? error.kind : 'other';
    return finish(
      kind === 'timeout' ? 'timeout' : 'skipped',
      kind === 'timeout' ? 'TLS_TIMEOUT' : 'TLS_NOT_CONNECTED',
      `TLS on ${where} not checked: TCP connect failed (${kind})`,
      { stage: 'connect' },
    );
  }
  let socket: TLSSocket | null = null;
  let stage: 'x224' | 'tls' = mode === 'rdp' ? 'x224' : 'tls';
  try {
    if (mode === 'rdp') {
      const answer = decodeConnectionConfirm(
        await exchange(stream, encodeConnectionRequest(PROTOCOL.SSL | PROTOCOL.HYBRID), signal),
      );
      const notOffered = whyTlsNotOffered(answer);
      if (notOffered)
        return finish('skipped', 'TLS_NOT_OFFERED', `TLS on ${where} not offered: ${notOffered}`, {
          stage: 'x224',
        });
      stage = 'tls';
    }
    socket = await startTls(stream, { name, extraCa, signal });
    const today = clock();
    const facts = describePeer(socket, name, today);
    const verdict = judgeCertificate(facts, { role: mode, expiringSoonDays, now: today });
    return finish(verdict.status, verdict.code, certificateSummary(where, facts, verdict), {
      stage,
      ...facts,
      problems: verdict.problems,
    });
  } catch (error) {
    if (signal.aborted)
      return finish(
        'timeout',
        'TLS_TIMEOUT',
        `TLS on ${where}: no answer before the deadline (stage: ${stage})`,
        {
          stage,
        },
      );
    const message = error instanceof Error ? error.message : String(error);
    return finish('fail', 'TLS_HANDSHAKE_FAILED', `TLS on ${where}: ${stage} failed (${message})`, {
      stage,
      error: message,
    });
  } finally {
    socket?.destroy();
    stream.destroy();
  }
}

/**
 * TLS on a connection whose RDP negotiation is done (handed over by `probeRdp`): one connection
 * for both findings, exactly the order a client follows. Closes the stream.
 */
export async function probeTlsAfterNegotiation(
  stream: Duplex,
  answer: NegotiationAnswer,
  target: ProbeTarget,
  options: Omit<TlsProbeOptions, 'connector' | 'mode'> & {
    startedAt: number;
    /**
     * Offered the TLS connection once the certificate is read; returning true takes it over (the
     * taker closes it): the ntlm probe's CredSSP step continues on it (battery.ts).
     */
    continueWith?: (socket: TLSSocket) => boolean;
  },
): Promise<Finding> {
  const { signal, extraCa = [], expiringSoonDays = 30, startedAt, continueWith } = options;
  let handedOver = false;
  const { clock = () => new Date(), now = performance.now.bind(performance) } = options;
  const where = describeTarget(target);
  const finish = findingFinisher('tls', where, now, startedAt);
  let socket: TLSSocket | null = null;
  try {
    const notOffered = whyTlsNotOffered(answer);
    if (notOffered)
      return finish('skipped', 'TLS_NOT_OFFERED', `TLS on ${where} not offered: ${notOffered}`, {
        stage: 'x224',
      });
    socket = await startTls(stream, { name: target.displayName ?? target.host, extraCa, signal });
    const today = clock();
    const facts = describePeer(socket, target.displayName ?? target.host, today);
    const verdict = judgeCertificate(facts, { role: 'rdp', expiringSoonDays, now: today });
    handedOver = continueWith?.(socket) ?? false;
    return finish(verdict.status, verdict.code, certificateSummary(where, facts, verdict), {
      stage: 'tls',
      ...facts,
      problems: verdict.problems,
    });
  } catch (error) {
    if (signal.aborted)
      return finish('timeout', 'TLS_TIMEOUT', `TLS on ${where}: no answer before the deadline (stage: tls)`, {
        stage: 'tls',
      });
    const message = error instanceof Error ? error.message : String(error);
    return finish('fail', 'TLS_HANDSHAKE_FAILED', `TLS on ${where}: tls failed (${message})`, {
      stage: 'tls',
      error: message,
    });
  } finally {
    if (!handedOver) {
      socket?.destroy();
      stream.destroy();
    }
  }
}

/** The tls Finding when the negotiation never produced an answer to continue from. */
export function tlsFindingWithoutNegotiation(rdp: Finding): Finding {
  const timedOut = rdp.status === 'timeout';
  const connectFailed = rdp.code === 'RDP_NOT_CONNECTED';
  return {
    probe: 'tls',
    target: rdp.target,
    status: timedOut ? 'timeout' : 'skipped',
    code: timedOut ? 'TLS_TIMEOUT' : connectFailed ? 'TLS_NOT_CONNECTED' : 'TLS_NOT_OFFERED',
    summary: connectFailed
      ? `TLS on ${rdp.target} not checked: TCP connect failed`
      : `TLS on ${rdp.target} not checked: the RDP negotiation did not finish (${rdp.code})`,
    detail: { stage: connectFailed ? 'connect' : 'x224' },
    ms: rdp.ms,
  };
}

/** Why TLS will not follow this negotiation answer, or null when it will. */
function whyTlsNotOffered(answer: NegotiationAnswer): string | null {
  if (answer.kind === 'failure') return `negotiation failed (${answer.failureName})`;
  if (answer.kind !== 'response') return 'the server does not negotiate';
  // xrdp with security_layer=rdp answers a TLS request with standard RDP (lab-notes gotcha 13).
  if (answer.selectedProtocol === PROTOCOL.RDP) return 'the server selected standard RDP security';
  return null;
}
