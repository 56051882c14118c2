import { describe, expect, test } from 'vitest';
import { type CertificateFacts, judgeCertificate } from '../../src/probes/certificate.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const base: CertificateFacts = {
  subject: 'CN=tls-ok.lab',
  subjectAltNames: ['DNS:tls-ok.lab'],
  issuer: 'CN=RDP Lab Root CA',
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2028-01-01T00:00:00.000Z',
  daysToExpiry: 766,
  selfSigned: false,
  nameMatches: true,
  checkedName: 'tls-ok.lab',
  trusted: true,
  verifyError: null,
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  fingerprint256: 'AA',
};

interface Row {
  what: string;
  facts: Partial<CertificateFacts>;
  role: 'rdp' | 'https';
  code: string;
  status: string;
}

describe('certificate verdict', () => {
  test.for([
    { what: 'valid and trusted', facts: {}, role: 'https', code: 'TLS_OK', status: 'ok' },
    {
      what: 'expired (tls-expired.lab)',
      facts: {
        validTo: '2021-01-01T00:00:00.000Z',
        daysToExpiry: -2155,
        trusted: false,
        verifyError: 'CERT_HAS_EXPIRED',
      },
      role: 'https',
      code: 'TLS_CERT_EXPIRED',
      status: 'fail',
    },
    {
      what: 'not yet valid (clock skew)',
      facts: { validFrom: '2027-01-01T00:00:00.000Z' },
      role: 'https',
      code: 'TLS_CERT_NOT_YET_VALID',
      status: 'fail',
    },
    {
      what: 'wrong name on a gateway',
      facts: { nameMatches: false, subjectAltNames: ['DNS:intranet.other.lab'] },
      role: 'https',
      code: 'TLS_CERT_NAME_MISMATCH',
      status: 'fail',
    },
    {
      what: 'self-signed on an RDP listener is the Windows default',
      facts: { selfSigned: true, trusted: false, verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      role: 'rdp',
      code: 'TLS_CERT_SELF_SIGNED',
      status: 'warn',
    },
    {
      what: 'self-signed on a gateway is refused by clients',
      facts: { selfSigned: true, trusted: false },
      role: 'https',
      code: 'TLS_CERT_SELF_SIGNED',
      status: 'fail',
    },
    {
      what: 'unknown CA',
      facts: { trusted: false, verifyError: 'SELF_SIGNED_CERT_IN_CHAIN' },
      role: 'https',
      code: 'TLS_CERT_UNTRUSTED',
      status: 'fail',
    },
    {
      what: 'expires in 10 days',
      facts: { daysToExpiry: 10 },
      role: 'https',
      code: 'TLS_CERT_EXPIRING_SOON',
      status: 'warn',
    },
  ] satisfies Row[])('$what → $code', ({ facts, role, code, status }) => {
    const verdict = judgeCertificate({ ...base, ...facts }, { role, expiringSoonDays: 30, now: NOW });
    expect(verdict).toMatchObject({ code, status });
    if (code !== 'TLS_OK') expect(verdict.problems.length).toBeGreaterThan(0);
  });
});
