import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_HOSTS, type LabHostName, type LabMode, labAddress } from './lab-plan.js';
import { run } from './lab-process.js';

/** `SHA256:…` of an OpenSSH public key line, as `ssh-keygen -lf` prints it. */
export function fingerprintOfPublicKey(line: string): string {
  const blob = Buffer.from(line.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** SSH host and client keys, a second host key (for the wrong-key test), known_hosts. */
export async function makeSshKeys(dir: string, jumpHost: string, jumpPort: number) {
  for (const name of ['ssh_host_ed25519_key', 'other_host_ed25519_key', 'client_ed25519']) {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `rdpt-${name}`, '-f', join(dir, name)]);
  }
  const hostPub = readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8');
  const otherPub = readFileSync(join(dir, 'other_host_ed25519_key.pub'), 'utf8');
  const hostPattern = jumpPort === 22 ? jumpHost : `[${jumpHost}]:${jumpPort}`;
  const keyPart = (pub: string) => pub.trim().split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `${hostPattern} ${keyPart(hostPub)}\n`);
  writeFileSync(join(dir, 'known_hosts.wrong'), `${hostPattern} ${keyPart(otherPub)}\n`);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')));
  return { fingerprint: fingerprintOfPublicKey(hostPub), otherFingerprint: fingerprintOfPublicKey(otherPub) };
}

export function sshdConfig(
  dir: string,
  { address, port, maxSessions = 10 }: { address: string; port: number; maxSessions?: number },
): string {
  // Own sshd, own config (lab-notes §1): key auth only, forwarding on, the default limits spelled
  // out because the concurrency acceptance test is about them.
  return [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${join(dir, 'sshd.pidfile')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AllowTcpForwarding yes',
    `MaxSessions ${maxSessions}`,
    'MaxStartups 10:30:100',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

const CA_CONFIG = (dir: string) => `
[ca]
default_ca = lab
[lab]
dir = ${dir}/ca
database = ${dir}/ca/index.txt
new_certs_dir = ${dir}/ca
serial = ${dir}/ca/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = RDP Lab Root CA
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

/** Lab CA, leaf certificates for the TLS targets (IP SANs for both modes), xrdp's self-signed cert. */
export async function makeCertificates(dir: string, mode: LabMode) {
  mkdirSync(join(dir, 'ca'), { recursive: true });
  writeFileSync(join(dir, 'ca', 'index.txt'), '');
  writeFileSync(join(dir, 'ca', 'serial'), '1000\n');
  const cnf = join(dir, 'ca.cnf');
  writeFileSync(cnf, CA_CONFIG(dir));
  const caKey = join(dir, 'lab-ca.key');
  const caPem = join(dir, 'lab-ca.pem');
  await run('openssl', ['genrsa', '-out', caKey, '2048']);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-days',
    '3650',
    '-config',
    cnf,
    '-extensions',
    'v3_ca',
    '-out',
    caPem,
  ]);
  const leaves: { host: LabHostName; cn: string; start?: string; end?: string }[] = [
    { host: 'tls-ok', cn: 'tls-ok.lab' },
    { host: 'tls-expired', cn: 'tls-expired.lab', start: '20200101000000Z', end: '20210101000000Z' },
    // Valid since yesterday, expires in 3 days and an hour (the hour keeps it "3 days" while the run lasts).
    {
      host: 'rdg-soon',
      cn: 'rdg-soon.lab',
      start: opensslTime(-DAY_MS),
      end: opensslTime(3 * DAY_MS + HOUR_MS),
    },
    { host: 'tls-mismatch', cn: 'intranet.other.lab' },
    { host: 'rdg', cn: 'rdg.lab' },
    { host: 'proxy', cn: 'proxy.lab' },
    { host: 'web', cn: 'web.lab' },
  ];
  for (const leaf of leaves) {
    const base = join(dir, leaf.host);
    const octet = LAB_HOSTS[leaf.host];
    // A wrong-name cert names only the other host; the others carry their name and both addresses.
    const san =
      leaf.host === 'tls-mismatch'
        ? 'DNS:intranet.other.lab'
        : `DNS:${leaf.cn},IP:${labAddress('netns', octet)},IP:${labAddress('loopback', octet)}`;
    await run('openssl', ['genrsa', '-out', `${base}.key`, '2048']);
    await run('openssl', [
      'req',
      '-new',
      '-key',
      `${base}.key`,
      '-subj',
      `/CN=${leaf.cn}`,
      '-addext',
      `subjectAltName=${san}`,
      '-out',
      `${base}.csr`,
    ]);
    const validity =
      leaf.start && leaf.end ? ['-startdate', leaf.start, '-enddate', leaf.end] : ['-days', '825'];
    await run('openssl', [
      'ca',
      '-batch',
      '-notext',
      '-config',
      cnf,
      '-cert',
      caPem,
      '-keyfile',
      caKey,
      ...validity,
      '-in',
      `${base}.csr`,
      '-out',
      `${base}.pem`,
    ]);
    // The server sends the CA in its chain, like tls-ok in lab-notes §5.
    writeFileSync(`${base}.chain.pem`, readFileSync(`${base}.pem`, 'utf8') + readFileSync(caPem, 'utf8'));
  }
  // xrdp presents a self-signed cert (lab-notes §3: CN=rdp-ok.lab, SAN DNS:rdp-ok.lab).
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'xrdp-key.pem'),
    '-out',
    join(dir, 'xrdp-cert.pem'),
    '-days',
    '3650',
    '-subj',
    '/CN=rdp-ok.lab',
    '-addext',
    'subjectAltName=DNS:rdp-ok.lab',
  ]);
  void mode;
  return { caPem };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** `YYYYMMDDHHMMSSZ` (openssl ca -startdate/-enddate) of now + `offsetMs`. */
function opensslTime(offsetMs: number): string {
  return `${new Date(Date.now() + offsetMs).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export function xrdpIni(
  dir: string,
  name: string,
  address: string,
  securityLayer: 'negotiate' | 'tls' | 'rdp',
) {
  // `port=tcp://ADDR:3389` binds one address; a bare port would open every lab address (gotcha 5).
  return `[Globals]
ini_version=1
fork=true
port=tcp://${address}:3389
use_vsock=false
tcp_nodelay=true
tcp_keepalive=true
security_layer=${securityLayer}
crypt_level=high
certificate=${join(dir, 'xrdp-cert.pem')}
key_file=${join(dir, 'xrdp-key.pem')}
ssl_protocols=TLSv1.2, TLSv1.3
[Logging]
LogFile=${join(dir, `${name}.xrdp.log`)}
LogLevel=INFO
EnableSyslog=false
[Channels]
[Xorg]
name=Xorg
lib=libxup.so
username=ask
password=ask
ip=127.0.0.1
port=-1
code=20
`;
}

/** dnsmasq host records for every lab host except "absent" has an address (it has, but no host). */
export function dnsmasqArgs(dir: string, mode: LabMode, listen: string): string[] {
  const records = Object.entries(LAB_HOSTS).map(
    ([name, octet]) => `--host-record=${name}.lab,${labAddress(mode, octet)}`,
  );
  return [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    `--listen-address=${listen}`,
    '--bind-interfaces',
    '--port=53',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--local=/lab/',
    '--domain=lab',
    '--pid-file=',
    '--user=root',
    '--log-queries',
    `--log-facility=${join(dir, 'dnsmasq.queries.log')}`,
    // Exists but has no address records: the "no answer" (NODATA) case.
    '--txt-record=noaddr.lab,"no address here"',
    // A stale record: the name of a machine that is gone, still pointing at an address another
    // machine (the NLA server) now has. Its NTLM CHALLENGE names that other machine.
    `--host-record=srv-stale.lab,${labAddress(mode, LAB_HOSTS['rdp-nla'])}`,
    ...records,
  ];
}
