import type { Duplex } from 'node:stream';
import type { Finding } from '../report/finding.js';
import { ConnectFailure, type Connector } from './connector.js';
import { describeTarget, type ProbeTarget } from './probe-target.js';
import { sendAndRead } from './send-and-read.js';
import {
  decodeConnectionConfirm,
  encodeConnectionRequest,
  type NegotiationAnswer,
  PROTOCOL,
  tpktLength,
} from './x224.js';

const REQUESTED = PROTOCOL.SSL | PROTOCOL.HYBRID | PROTOCOL.HYBRID_EX;
const MAX_CONFIRM_BYTES = 512;

/**
 * Sends an X.224 Connection Request offering TLS + CredSSP (or `offer`) and decodes what the
 * server selects. An open but silent server ends as `timeout` at the x224 stage when `signal` aborts.
 */
export async function probeRdp(
  target: ProbeTarget,
  {
    connector,
    signal,
    handOver,
    offer = REQUESTED,
    now = performance.now.bind(performance),
  }: {
    connector: Connector;
    signal: AbortSignal;
    /** requestedProtocols of the RDP_NEG_REQ (PROTOCOL bits); default TLS | CredSSP | CredSSP-EX. */
    offer?: number;
    /**
     * Takes over the connection once the server answered the negotiation (TLS then continues on
     * the same socket, as a client's would). The taker closes it.
     */
    handOver?: (stream: Duplex, answer: NegotiationAnswer) => void;
    now?: () => number;
  },
): Promise<Finding> {
  const started = now();
  const where = describeTarget(target);
  const finish = (
    status: Finding['status'],
    code: string,
    summary: string,
    detail?: Record<string, unknown>,
  ): Finding => ({
    probe: 'rdp',
    target: where,
    status,
    code,
    summary,
    ...(detail && { detail }),
    ms: Math.round(now() - started),
  });

  let stream: Duplex;
  try {
    stream = await connector.open(target.host, target.port, signal);
  } catch (error) {
    const kind = error instanceof ConnectFailure ? error.kind : 'other';
    return finish(
      kind === 'timeout' ? 'timeout' : 'skipped',
      'RDP_NOT_CONNECTED',
      `RDP negotiation on ${where} not attempted: TCP connect failed (${kind})`,
      { stage: 'connect' },
    );
  }
  let handedOver = false;
  try {
    const packet = await exchange(stream, encodeConnectionRequest(offer), signal);
    const answer = decodeConnectionConfirm(packet);
    if (handOver) {
      handOver(stream, answer);
      handedOver = true;
    }
    switch (answer.kind) {
      case 'response': {
        const detail = { stage: 'x224', selectedProtocol: answer.selectedProtocol, flags: answer.flags };
        if (answer.selectedProtocol === PROTOCOL.RDP) {
          // xrdp answers a TLS/CredSSP request with PROTOCOL_RDP when security_layer=rdp (lab-notes gotcha 13).
          return finish(
            'warn',
            'RDP_NEG_LEGACY_RDP',
            `RDP on ${where} selected standard RDP security (no TLS, no NLA)`,
            detail,
          );
        }
        const nla =
          answer.selectedProtocol === PROTOCOL.HYBRID || answer.selectedProtocol === PROTOCOL.HYBRID_EX;
        return finish(
          'ok',
          nla ? 'RDP_NEG_NLA' : 'RDP_NEG_TLS',
          `RDP on ${where} answers, selects ${answer.protocolName}`,
          detail,
        );
      }
      case 'failure':
        return finish(
          'fail',
          `RDP_NEG_FAILURE_${answer.failureName}`,
          `RDP on ${where} refused negotiation: ${answer.failureName}`,
          { stage: 'x224', failureCode: answer.failureCode },
        );
      case 'legacy':
        return finish(
          'warn',
          'RDP_NEG_LEGACY_RDP',
          `RDP on ${where} answers without negotiation (old server, standard RDP security)`,
          { stage: 'x224' },
        );
      default:
        return finish(
          'fail',
          'RDP_NOT_RDP',
          `${where} is open but did not answer like an RDP server (${answer.reason})`,
          { stage: 'x224' },
        );
    }
  } catch (error) {
    if (signal.aborted)
      return finish(
        'timeout',
        'RDP_TIMEOUT',
        `RDP on ${where}: port open but no X.224 answer before the deadline (server hung?)`,
        { stage: 'x224' },
      );
    const message = error instanceof Error ? error.message : String(error);
    return finish(
      'fail',
      'RDP_CLOSED',
      `RDP on ${where} closed the connection during negotiation (${message})`,
      { stage: 'x224' },
    );
  } finally {
    if (!handedOver) stream.destroy();
  }
}

/** Writes the request and collects exactly one TPKT packet, or rejects on close / abort. */
export function exchange(stream: Duplex, request: Buffer, signal: AbortSignal): Promise<Buffer> {
  return sendAndRead(stream, request, signal, {
    complete: (received) => {
      const length = tpktLength(received);
      // A length no Connection Confirm has, or more bytes than one: judged as it is (not RDP).
      if (length !== null && (length < 4 || length > MAX_CONFIRM_BYTES)) return received.length;
      if (length !== null && received.length >= length) return length;
      return received.length > MAX_CONFIRM_BYTES ? received.length : null;
    },
    keepPartial: false,
  });
}
