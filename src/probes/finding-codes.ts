/**
 * The vocabulary of `Finding.code`: what probes emit and what ranking keys on. One list so the
 * probe side and the fix side cannot drift apart.
 */
export const FINDING_CODES = [
  // dns
  'DNS_OK',
  'DNS_NXDOMAIN',
  'DNS_NO_ANSWER',
  'DNS_SERVER_FAILURE',
  'DNS_TIMEOUT',
  // tcp
  'TCP_OPEN',
  'TCP_REFUSED',
  'TCP_UNREACHABLE',
  'TCP_TIMEOUT',
  'TCP_RESET',
  'TCP_DNS_FAILED',
  'TCP_ERROR',
  // rdp (X.224 negotiation)
  'RDP_NEG_TLS',
  'RDP_NEG_NLA',
  'RDP_NEG_LEGACY_RDP',
  'RDP_NEG_FAILURE_SSL_REQUIRED_BY_SERVER',
  'RDP_NEG_FAILURE_SSL_NOT_ALLOWED_BY_SERVER',
  'RDP_NEG_FAILURE_SSL_CERT_NOT_ON_SERVER',
  'RDP_NEG_FAILURE_INCONSISTENT_FLAGS',
  'RDP_NEG_FAILURE_HYBRID_REQUIRED_BY_SERVER',
  'RDP_NEG_FAILURE_SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER',
  'RDP_TIMEOUT',
  'RDP_CLOSED',
  'RDP_NOT_RDP',
  'RDP_NOT_CONNECTED',
  // rdp, second negotiation offering TLS only, reported when the first selected CredSSP
  'RDP_NLA_REQUIRED',
  'RDP_NLA_OPTIONAL',
  'RDP_NLA_UNKNOWN',
  // tls (RDP after negotiation, or a gateway on 443)
  'TLS_OK',
  'TLS_CERT_EXPIRED',
  'TLS_CERT_NOT_YET_VALID',
  'TLS_CERT_EXPIRING_SOON',
  'TLS_CERT_SELF_SIGNED',
  'TLS_CERT_NAME_MISMATCH',
  'TLS_CERT_UNTRUSTED',
  'TLS_HANDSHAKE_FAILED',
  'TLS_TIMEOUT',
  'TLS_NOT_OFFERED',
  'TLS_NOT_CONNECTED',
  // ntlm (what an NLA server says about itself in its NTLM CHALLENGE, before logon)
  'NTLM_INFO',
  'NTLM_NAME_MISMATCH',
  'NTLM_CLOCK_SKEW',
  'NTLM_CLOCK_DRIFT',
  'NTLM_NOT_OFFERED',
  'NTLM_MALFORMED',
  'NTLM_FAILED',
  'NTLM_TIMEOUT',
  'NTLM_NOT_CONNECTED',
  // gateway (RD Gateway HTTPS transport)
  'GATEWAY_OK',
  'GATEWAY_INTERCEPTED',
  'GATEWAY_NOT_RDG',
  'GATEWAY_HTTP_ERROR',
  'GATEWAY_TIMEOUT',
  'GATEWAY_NOT_CONNECTED',
  // jump server
  'JUMP_UNREACHABLE',
  'JUMP_HOST_KEY_MISMATCH',
  'JUMP_HOST_KEY_UNKNOWN',
  'JUMP_AUTH_FAILED',
  'JUMP_CHANNEL_REFUSED',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];
