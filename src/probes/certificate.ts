import { isIP } from 'node:net';
import { checkServerIdentity, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { FindingStatus } from '../report/finding.js';

export interface CertificateFacts {
  subject: string;
  subjectAltNames: string[];
  issuer: string;
  validFrom: string;
  validTo: string;
  daysToExpiry: number;
  selfSigned: boolean;
  /** Whether `checkedName` is in the certificate (null when no name was checked). */
  nameMatches: boolean | null;
  checkedName: string | null;
  /** Chains to a trusted root (system roots plus the configured CA). */
  trusted: boolean;
  verifyError: string | null;
  protocol: string | null;
  cipher: string | null;
  fingerprint256: string;
}

const DAY_MS = 86_400_000;

/** What a TLS peer presented, in fields a helpdesk agent can read. */
export function describePeer(socket: TLSSocket, checkedName: string | null, now: Date): CertificateFacts {
  const peer = socket.getPeerCertificate(true) as DetailedPeerCertificate;
  const validTo = new Date(peer.valid_to);
  const verifyError = socket.authorizationError ? String(socket.authorizationError) : null;
  const selfSigned =
    verifyError === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    (peer.issuerCertificate !== undefined && peer.issuerCertificate.fingerprint256 === peer.fingerprint256);
  return {
    subject: formatName(peer.subject),
    subjectAltNames: (peer.subjectaltname ?? '').split(', ').filter(Boolean),
    issuer: formatName(peer.issuer),
    validFrom: toIso(peer.valid_from),
    validTo: toIso(peer.valid_to),
    daysToExpiry: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
    selfSigned,
    nameMatches: checkedName === null ? null : checkServerIdentity(checkedName, peer) === undefined,
    checkedName,
    trusted: socket.authorized,
    verifyError,
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? null,
    fingerprint256: peer.fingerprint256,
  };
}

/** SNI must be a host name, never an IP literal (RFC 6066 §3). */
export function serverNameFor(name: string): string | undefined {
  return isIP(name) === 0 ? name : undefined;
}

export interface CertificateVerdict {
  status: FindingStatus;
  code:
    | 'TLS_OK'
    | 'TLS_CERT_EXPIRED'
    | 'TLS_CERT_NOT_YET_VALID'
    | 'TLS_CERT_NAME_MISMATCH'
    | 'TLS_CERT_SELF_SIGNED'
    | 'TLS_CERT_UNTRUSTED'
    | 'TLS_CERT_EXPIRING_SOON';
  problems: string[];
}

/**
 * Worst problem first. On an RDP listener a self-signed or untrusted certificate is the Windows
 * default and the client only warns, so those are `warn`; on a gateway (HTTPS) the client refuses
 * them, so they `fail`.
 */
export function judgeCertificate(
  facts: CertificateFacts,
  { role, expiringSoonDays, now }: { role: 'rdp' | 'https'; expiringSoonDays: number; now: Date },
): CertificateVerdict {
  const problems: { code: CertificateVerdict['code']; status: FindingStatus; say: string }[] = [];
  const strict = role === 'https' ? 'fail' : 'warn';
  if (facts.daysToExpiry < 0)
    problems.push({
      code: 'TLS_CERT_EXPIRED',
      status: 'fail',
      say: `expired on ${facts.validTo.slice(0, 10)}`,
    });
  if (new Date(facts.validFrom).getTime() > now.getTime())
    problems.push({
      code: 'TLS_CERT_NOT_YET_VALID',
      status: 'fail',
      say: `not valid before ${facts.validFrom.slice(0, 10)} (clock skew?)`,
    });
  if (facts.nameMatches === false)
    problems.push({
      code: 'TLS_CERT_NAME_MISMATCH',
      status: strict,
      say: `issued for ${facts.subjectAltNames.join(', ') || facts.subject}, not ${facts.checkedName}`,
    });
  if (facts.selfSigned)
    problems.push({ code: 'TLS_CERT_SELF_SIGNED', status: strict, say: `self-signed (${facts.subject})` });
  else if (!facts.trusted && facts.verifyError !== 'CERT_HAS_EXPIRED')
    problems.push({
      code: 'TLS_CERT_UNTRUSTED',
      status: strict,
      say: `not trusted: issuer ${facts.issuer} (${facts.verifyError ?? 'unknown'})`,
    });
  if (facts.daysToExpiry >= 0 && facts.daysToExpiry <= expiringSoonDays)
    problems.push({
      code: 'TLS_CERT_EXPIRING_SOON',
      status: 'warn',
      say: `expires in ${facts.daysToExpiry} days`,
    });
  const worst = problems.find((p) => p.status === 'fail') ?? problems[0];
  if (!worst) return { status: 'ok', code: 'TLS_OK', problems: [] };
  return { status: worst.status, code: worst.code, problems: problems.map((p) => p.say) };
}

function formatName(name: Record<string, unknown> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

function toIso(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** One line for a TLS finding. */
export function certificateSummary(
  where: string,
  facts: CertificateFacts,
  verdict: CertificateVerdict,
): string {
  const what = `${facts.protocol ?? 'TLS'} ${facts.cipher ?? ''}`.trim();
  return verdict.code === 'TLS_OK'
    ? `TLS on ${where}: certificate OK (${facts.subject}, expires in ${facts.daysToExpiry} days; ${what})`
    : `TLS on ${where}: certificate ${verdict.problems.join('; ')}`;
}
