import type { Finding } from '../report/finding.js';
import type { Connector } from './connector.js';
import { openWhen } from './open-when.js';
import { describeTarget, type ProbeTarget } from './probe-target.js';
import { probeRdp } from './rdp-negotiate.js';
import { FAILURE_NAMES, PROTOCOL } from './x224.js';

const HYBRID_REQUIRED = 5;

/**
 * Whether a server that selects CredSSP also lets in a client that cannot do it: a second X.224
 * negotiation offering TLS only. A server that requires NLA answers RDP_NEG_FAILURE
 * HYBRID_REQUIRED_BY_SERVER (MS-RDPBCGR 2.2.1.2.2, rdp-facts §6.2); one where NLA is optional
 * selects TLS (or standard RDP security). Meaningful only when the full offer selected CredSSP:
 * FreeRDP's shadow server, say, selects TLS over CredSSP whenever both are enabled (measured).
 * Never throws; a check that cannot tell ends as RDP_NLA_UNKNOWN.
 *
 * With `when`, the connection opens at once but the offer is sent only if `when` resolves true (the
 * first negotiation selected CredSSP); otherwise it is closed unused and the result is null. The
 * server's accept work then overlaps the first negotiation: freerdp-shadow answers ~50 ms after a
 * connect but ~2 ms after an X.224 request on a connection already open (measured on loopback).
 */
export async function probeNlaRequired(
  target: ProbeTarget,
  {
    when,
    ...options
  }: { connector: Connector; signal: AbortSignal; now?: () => number; when?: Promise<boolean> },
): Promise<Finding | null> {
  let needed = true;
  const connector = when
    ? openWhen(options.connector, when, 'no TLS-only offer sent', () => {
        needed = false;
      })
    : options.connector;
  const answer = await probeRdp(target, { ...options, connector, offer: PROTOCOL.SSL });
  if (!needed) return null;
  const where = describeTarget(target);
  const failureCode = answer.detail?.failureCode;
  const selected = answer.detail?.selectedProtocol;
  const finish = (
    status: Finding['status'],
    code: string,
    summary: string,
    detail: Record<string, unknown>,
  ): Finding => ({
    probe: 'rdp',
    target: where,
    status,
    code,
    summary,
    detail: { stage: 'x224', offered: 'TLS only', ...detail },
    ms: answer.ms,
  });
  if (failureCode === HYBRID_REQUIRED)
    return finish(
      'ok',
      'RDP_NLA_REQUIRED',
      `${where} requires Network Level Authentication: a client without NLA (CredSSP) is refused`,
      { failureCode, failureName: FAILURE_NAMES[HYBRID_REQUIRED] },
    );
  if (selected === PROTOCOL.SSL || selected === PROTOCOL.RDP)
    return finish(
      'ok',
      'RDP_NLA_OPTIONAL',
      `${where} does not require Network Level Authentication: a client without NLA is let in too (${selected === PROTOCOL.SSL ? 'with TLS' : 'with standard RDP security'})`,
      { selectedProtocol: selected },
    );
  return finish(
    'skipped',
    'RDP_NLA_UNKNOWN',
    `Could not tell whether ${where} requires Network Level Authentication: ${whyUnknown(answer)}`,
    { answer: answer.code },
  );
}

/** A connector whose stream is handed over only once `when` says it is needed. */
function whyUnknown(answer: Finding): string {
  switch (answer.code) {
    case 'RDP_TIMEOUT':
      return 'no answer to a TLS-only offer before the deadline';
    case 'RDP_NOT_CONNECTED':
      return 'a second connection for a TLS-only offer failed';
    case 'RDP_CLOSED':
      return 'the server closed the connection on a TLS-only offer';
    case 'RDP_NEG_NLA':
      return 'it selected CredSSP although only TLS was offered';
    default:
      return `a TLS-only offer got an answer that does not say (${answer.code})`;
  }
}
