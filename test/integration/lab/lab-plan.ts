/**
 * The lab's address plan (lab-notes "Topology"). Two modes:
 *  - netns: the jump's sshd in namespace `rdpt-jump-N` at 10.77.255.(4N+2):22, every target in namespace
 *    `rdpt-site` (10.77.0.0/24) that only the jump can reach; the root namespace cannot.
 *  - loopback: the same servers on 127.0.0.10–.22 and the jump on 127.0.0.1:<free port>. No
 *    isolation and no "absent host" (all of 127/8 is local), used when `ip netns add` fails.
 */

export const LAB_MODES = ['netns', 'loopback'] as const;
export type LabMode = (typeof LAB_MODES)[number];

export const NS_JUMP = 'rdpt-jump';
export const NS_SITE = 'rdpt-site';

/** Host names served by the lab's dnsmasq (domain `lab`) and the last octet of each address. */
export const LAB_HOSTS = {
  'rdp-ok': 10,
  'tls-expired': 11,
  'tls-mismatch': 12,
  filtered: 13,
  closed: 14,
  absent: 15,
  'tls-ok': 16,
  'rdp-tlsonly': 17,
  'rdp-rdponly': 18,
  'rdp-nla': 19,
  'rdp-hung': 20,
  rdg: 21,
  proxy: 22,
  web: 23,
  'rdp-skew': 24,
  /** Nothing listens until a test starts its xrdp (startComeback): a host that goes down and comes back. */
  comeback: 25,
  /** An RD Gateway whose company-CA certificate expires in 3 days: the monitors' expiry warning. */
  'rdg-soon': 26,
} as const;
export type LabHostName = keyof typeof LAB_HOSTS;

export const DNS_OCTET = 53;
/** Loopback mode cannot use .53 (often a local stub resolver), so its dnsmasq listens on .63. */
export const LOOPBACK_DNS_OCTET = 63;

export function labAddress(mode: LabMode, octet: number): string {
  return mode === 'netns' ? `10.77.0.${octet}` : `127.0.0.${octet}`;
}

/** What the global setup hands to tests (`inject('lab')`) and to bench/probes.ts. Plain data. */
export interface LabInfo {
  mode: LabMode;
  dir: string;
  jump: { host: string; port: number; username: string; privateKeyPath: string; knownHostsPath: string };
  /** `SHA256:…` of the jump's ed25519 host key. */
  hostKeyFingerprint: string;
  /** Site resolver (dnsmasq), reachable only through the jump in netns mode. */
  dnsServer: string;
  caFile: string;
  /** name (without `.lab`) → address. */
  addresses: Record<LabHostName, string>;
  /** What is missing and why (each test that needs it fails with this reason). */
  skipped: Partial<Record<'absent' | 'nla' | 'skew' | 'rdp' | 'filtered' | 'lab', string>>;
  pids: Record<string, number>;
  /** Whether the harness created the namespaces (teardown deletes only those). */
  createdNamespaces: boolean;
  /** This lab's slot: parallel labs on one machine get their own namespaces and jump address. */
  slot: number;
  /** Namespace names (netns mode). */
  ns: { jump: string; site: string } | null;
  sshdConfigPath: string;
}

export function labAddresses(mode: LabMode): Record<LabHostName, string> {
  return Object.fromEntries(
    Object.entries(LAB_HOSTS).map(([name, octet]) => [name, labAddress(mode, octet)]),
  ) as Record<LabHostName, string>;
}
