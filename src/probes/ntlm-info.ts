import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Finding } from '../report/finding.js';
import { ConnectFailure, type Connector } from './connector.js';
import { type Finish, findingFinisher } from './finish-finding.js';
import {
  decodeTsRequest,
  derElementLength,
  encodeNtlmNegotiate,
  encodeTsRequest,
  type NtlmChallengeInfo,
  parseNtlmChallenge,
} from './ntlm-messages.js';
import { describeTarget, type ProbeTarget } from './probe-target.js';
import { exchange } from './rdp-negotiate.js';
import { sendAndRead } from './send-and-read.js';
import { startTls } from './start-tls.js';
import { windowsRelease } from './windows-releases.js';
import { decodeConnectionConfirm, encodeConnectionRequest, PROTOCOL } from './x224.js';

/** Kerberos refuses more than 5 minutes between client, server and domain controller. */
const SKEW_FAIL_SECONDS = 300;
/** From a minute on, a clock is drifting: worth a warning before it breaks logons. */
const SKEW_WARN_SECONDS = 60;
/** A CHALLENGE is a few hundred bytes; more than this is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface NtlmProbeOptions {
  connector: Connector;
  signal: AbortSignal;
  /** Wall clock in ms since the epoch (the server's timestamp is compared with it). */
  clock?: () => number;
  now?: () => number;
}

/**
 * What a server that requires NLA says about itself before anyone logs on: X.224 negotiation
 * offering CredSSP only → TLS → a CredSSP TSRequest carrying an NTLM NEGOTIATE → the server's
 * CHALLENGE: its computer and domain names, OS version and build, CredSSP version and clock. Then
 * the connection closes: no credential is sent, nothing logs on, the server sees one connection
 * that failed before authentication (rdp-ntlm-info in nmap reads the same fields).
 *
 * Findings: NTLM_INFO; NTLM_NAME_MISMATCH when the machine answering is not the one asked for
 * (stale DNS record, reused address, wrong .rdp file); NTLM_CLOCK_SKEW above 5 minutes (Kerberos
 * fails), NTLM_CLOCK_DRIFT from 1 minute; NTLM_NOT_OFFERED when the server does not do CredSSP
 * (xrdp: nothing to read, and the reply says so); NTLM_MALFORMED for a reply that is not a
 * well-formed CHALLENGE. Never throws.
 */
export async function probeNtlmInfo(target: ProbeTarget, options: NtlmProbeOptions): Promise<Finding> {
  const { connector, signal, clock = Date.now, now = performance.now.bind(performance) } = options;
  const started = now();
  const where = describeTarget(target);
  const finish = findingFinisher('ntlm', where, now, started);

  let stream: Duplex;
  try {
    stream = await connector.open(target.host, target.port, signal);
  } catch (error) {
    const kind = error instanceof ConnectFailure ? error.kind : 'other';
    return kind === 'timeout'
      ? finish('timeout', 'NTLM_TIMEOUT', `${where}: no answer before the deadline (stage: connect)`, {
          stage: 'connect',
        })
      : finish(
          'skipped',
          'NTLM_NOT_CONNECTED',
          `${where}: what the machine says about itself not read: TCP connect failed (${kind})`,
          {
            stage: 'connect',
          },
        );
  }
  let stage: 'x224' | 'tls' | 'credssp' = 'x224';
  let socket: TLSSocket | null = null;
  try {
    const answer = decodeConnectionConfirm(
      await exchange(stream, encodeConnectionRequest(PROTOCOL.HYBRID | PROTOCOL.HYBRID_EX), signal),
    );
    const selected = answer.kind === 'response' ? answer.selectedProtocol : null;
    if (selected !== PROTOCOL.HYBRID && selected !== PROTOCOL.HYBRID_EX)
      return finish(
        'skipped',
        'NTLM_NOT_OFFERED',
        `${where} does not offer CredSSP (NLA), so it says nothing about itself before logon`,
        { stage },
      );
    stage = 'tls';
    socket = await startTls(stream, { name: target.displayName ?? target.host, signal });
    stage = 'credssp';
    return await readNtlmOverTls(socket, target, { signal, clock, now, startedAt: started });
  } catch (error) {
    if (signal.aborted)
      return finish('timeout', 'NTLM_TIMEOUT', `${where}: no answer before the deadline (stage: ${stage})`, {
        stage,
      });
    const message = error instanceof Error ? error.message : String(error);
    return finish(
      'skipped',
      'NTLM_FAILED',
      `${where}: what the machine says about itself not read (${stage}: ${message})`,
      {
        stage,
        error: message,
      },
    );
  } finally {
    socket?.destroy();
    stream.destroy();
  }
}

/**
 * The CredSSP step on a TLS connection whose negotiation selected CredSSP: sends the TSRequest
 * with the NTLM NEGOTIATE, reads the CHALLENGE and judges it. The caller owns and closes the
 * socket. Used on the ntlm probe's own connection, and on the rdp probe's after its TLS
 * certificate check (battery.ts), so a triage costs the server no extra connection.
 */
export async function readNtlmOverTls(
  socket: TLSSocket,
  target: ProbeTarget,
  {
    signal,
    clock = Date.now,
    now = performance.now.bind(performance),
    startedAt,
  }: {
    signal: AbortSignal;
    clock?: () => number;
    now?: () => number;
    startedAt: number;
  },
): Promise<Finding> {
  const where = describeTarget(target);
  const finish = findingFinisher('ntlm', where, now, startedAt);
  const malformed = (problem: string) =>
    finish(
      'warn',
      'NTLM_MALFORMED',
      `${where} answered CredSSP with a malformed NTLM CHALLENGE: ${problem}`,
      {
        stage: 'credssp',
        problem,
      },
    );
  try {
    const sentAt = clock();
    const reply = await readTsRequest(socket, encodeTsRequest(encodeNtlmNegotiate()), signal);
    const receivedAt = clock();
    const request = decodeTsRequest(reply);
    if ('problem' in request) return malformed(request.problem);
    if (request.negoToken === undefined)
      return malformed(
        request.errorCode === undefined
          ? 'the TSRequest carries no token'
          : `the server answered with error 0x${request.errorCode.toString(16)} instead of a CHALLENGE`,
      );
    const reading = parseNtlmChallenge(request.negoToken);
    if ('problem' in reading) return malformed(reading.problem);
    // The server stamped its clock somewhere between our send and our receive: the midpoint.
    const skewSeconds =
      reading.info.serverTimeMs === undefined
        ? undefined
        : Math.round((reading.info.serverTimeMs - (sentAt + receivedAt) / 2) / 1000);
    return judge(where, target, reading.info, request.version, skewSeconds, finish);
  } catch (error) {
    if (signal.aborted)
      return finish('timeout', 'NTLM_TIMEOUT', `${where}: no answer before the deadline (stage: credssp)`, {
        stage: 'credssp',
      });
    const message = error instanceof Error ? error.message : String(error);
    return finish(
      'skipped',
      'NTLM_FAILED',
      `${where}: what the machine says about itself not read (credssp: ${message})`,
      {
        stage: 'credssp',
        error: message,
      },
    );
  }
}

/** The finding from what the machine said: names, OS, CredSSP version, clock; mismatch and skew judged. */
function judge(
  where: string,
  target: ProbeTarget,
  info: NtlmChallengeInfo,
  credsspVersion: number,
  skewSeconds: number | undefined,
  finish: Finish,
): Finding {
  const computer = info.dnsComputer ?? info.netbiosComputer ?? info.targetName;
  const os = info.version && describeVersion(info.version);
  const asked = target.displayName ?? target.host;
  const mismatch = computer !== undefined && namesAnotherMachine(asked, info);
  const clock = skewSeconds === undefined ? undefined : describeSkew(skewSeconds);
  const facts = [
    `answers as ${computer ?? 'an unnamed machine'}${info.dnsDomain && info.dnsDomain !== computer ? ` (domain ${info.dnsDomain})` : ''}`,
    ...(os ? [os] : []),
    `CredSSP ${credsspVersion}`,
    ...(clock ? [clock] : []),
  ];
  const detail = {
    stage: 'credssp',
    ...info,
    ...(os && { os }),
    credsspVersion,
    ...(skewSeconds !== undefined && { skewSeconds }),
    ...(mismatch && { askedFor: asked }),
  };
  const line = `${where} ${facts.join(', ')}`;
  const skew = Math.abs(skewSeconds ?? 0);
  if (skew > SKEW_FAIL_SECONDS)
    return finish(
      'fail',
      'NTLM_CLOCK_SKEW',
      `${line}: more than 5 minutes off breaks Kerberos logons`,
      detail,
    );
  if (mismatch)
    return finish(
      'warn',
      'NTLM_NAME_MISMATCH',
      `${line}: not ${asked} — the name or address leads to another machine`,
      detail,
    );
  if (skew >= SKEW_WARN_SECONDS) return finish('warn', 'NTLM_CLOCK_DRIFT', line, detail);
  return finish('ok', 'NTLM_INFO', line, detail);
}

/** Whether the name the user asked for is another machine than the one that answered. */
function namesAnotherMachine(asked: string, info: NtlmChallengeInfo): boolean {
  // An address names no machine; only a name can be compared.
  if (/^[\d.]+$|:/.test(asked)) return false;
  const label = (name: string) => name.toLowerCase().split('.')[0] ?? '';
  const own = [info.netbiosComputer, info.dnsComputer].filter((n): n is string => n !== undefined).map(label);
  return own.length > 0 && !own.includes(label(asked));
}

function describeVersion(version: { major: number; minor: number; build: number }): string {
  const numbers = `${version.major}.${version.minor}.${version.build}`;
  const release = windowsRelease(version);
  return release ? `${release} (${numbers})` : `Windows ${numbers}`;
}

/** "clock 20 min ahead of the bot's", "clock in step with the bot's". */
function describeSkew(seconds: number): string {
  const size = Math.abs(seconds);
  if (size < SKEW_WARN_SECONDS) return "clock in step with the bot's";
  const amount = size >= 3600 ? `${(size / 3600).toFixed(1)} h` : `${Math.round(size / 60)} min`;
  return `clock ${amount} ${seconds > 0 ? 'ahead of' : 'behind'} the bot's`;
}

/** Writes the TSRequest and reads one whole DER element back (at most 64 KB). */
function readTsRequest(socket: TLSSocket, request: Buffer, signal: AbortSignal): Promise<Buffer> {
  return sendAndRead(socket, request, signal, {
    complete: (received) => {
      const length = derElementLength(received);
      if (received.length > MAX_ANSWER_BYTES || (length !== null && length > MAX_ANSWER_BYTES))
        return Math.min(received.length, MAX_ANSWER_BYTES);
      return length !== null && received.length >= length ? length : null;
    },
    // What arrived before a close is judged as it is (cut short, most likely).
    keepPartial: true,
  });
}
