import type { Finding, FindingStatus, ProbeKind } from '../../src/report/finding.js';
import type { Intent, Understanding, UnderstoodCode } from '../../src/report/understanding.js';

// Builders for the ranking tests: compact specs → Understanding / Finding.
// Codes: "0x904" = disconnect, "ext:0x7" = extended, "info:0x112f" = errorInfo, "gw:…" = gateway,
// "name:Foo" = a code known by name only. Findings: "TCP_REFUSED", or "gw:…" for the gateway.

export interface UnderstandingSpec {
  codes?: string[];
  symptoms?: string[];
  intent?: Intent;
  gateway?: string;
}

const ROLE_BY_PREFIX = { ext: 'extended', info: 'error_info', gw: 'gateway' } as const;

export function toCode(spec: string): UnderstoodCode {
  const [prefix, rest] = spec.includes(':') ? (spec.split(':') as [string, string]) : ['', spec];
  if (prefix === 'name') return { value: '0x0', role: 'disconnect', name: rest };
  const role = ROLE_BY_PREFIX[prefix as keyof typeof ROLE_BY_PREFIX] ?? 'disconnect';
  return { value: rest, role };
}

const STATUS: Partial<Record<string, FindingStatus>> = {
  TCP_REFUSED: 'refused',
  TCP_TIMEOUT: 'timeout',
  GATEWAY_TIMEOUT: 'timeout',
};

export function toFinding(spec: string, gateway = 'rdg.corp.example'): Finding {
  const aboutGateway = spec.startsWith('gw:');
  const code = aboutGateway ? spec.slice(3) : spec;
  const probe: ProbeKind = code.startsWith('DNS')
    ? 'dns'
    : code.startsWith('TCP')
      ? 'tcp'
      : code.startsWith('RDP')
        ? 'rdp'
        : code.startsWith('GATEWAY')
          ? 'gateway'
          : 'tls';
  const ok = /_OK$|_OPEN$|^RDP_NEG_(TLS|NLA)$/.test(code);
  const target = aboutGateway ? `${gateway}:443` : 'srv-fin-02:3389';
  return {
    probe,
    target,
    status: STATUS[code] ?? (ok ? 'ok' : 'fail'),
    code,
    summary: `${code.toLowerCase().replace(/_/g, ' ')} on ${target}`,
    ms: 4,
  };
}

export function toUnderstanding(row: UnderstandingSpec): Understanding {
  return {
    intent: row.intent ?? 'rdp_failure',
    confidence: 0.95,
    codes: (row.codes ?? []).map(toCode),
    hosts: [{ name: 'srv-fin-02', kind: 'short' }],
    gateway: row.gateway ?? null,
    symptoms: row.symptoms ?? [],
  };
}
