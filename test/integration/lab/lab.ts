import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../helpers/wait-for.js';
import { dnsmasqArgs, makeCertificates, makeSshKeys, sshdConfig, xrdpIni } from './lab-files.js';
import {
  LAB_HOSTS,
  type LabHostName,
  type LabInfo,
  type LabMode,
  LOOPBACK_DNS_OCTET,
  labAddress,
  labAddresses,
  NS_JUMP,
  NS_SITE,
} from './lab-plan.js';
import { isAlive, readPid, run, startDaemon, stopDaemon, tryRun, waitListening } from './lab-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Debian 12 packages behind each binary (lab-notes "Packages and timings"). */
const NEEDED: Record<string, string> = {
  sshd: 'openssh-server',
  'ssh-keygen': 'openssh-client',
  xrdp: 'xrdp',
  'freerdp-shadow-cli': 'freerdp2-shadow-x11',
  'winpr-hash': 'winpr-utils',
  Xvfb: 'xvfb',
  nft: 'nftables',
  dnsmasq: 'dnsmasq-base',
  openssl: 'openssl',
  ip: 'iproute2',
  ss: 'iproute2',
};
const SBIN = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const which = (bin: string) => SBIN.map((d) => join(d, bin)).find((p) => existsSync(p)) ?? null;

export /** libfaketime (Debian package libfaketime): the skewed-clock NLA server runs under it. */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

const DAEMONS = [
  'sshd',
  'dnsmasq',
  'xrdp-ok',
  'xrdp-tlsonly',
  'xrdp-rdponly',
  'xrdp-hung',
  'xvfb',
  'shadow-nla',
  'shadow-skew',
  'tls-ok',
  'tls-expired',
  'tls-mismatch',
  'rdg-soon',
  'xrdp-comeback',
  'rdg',
  'proxy',
  'web',
] as const;

/** Why the lab cannot run here, or null. Installs missing packages with apt-get when root. */
export async function prepareHost(log: (line: string) => void): Promise<string | null> {
  if (process.platform !== 'linux') return 'the lab needs Linux (network namespaces, sshd, xrdp)';
  const missing = [...new Set(Object.entries(NEEDED).flatMap(([bin, pkg]) => (which(bin) ? [] : [pkg])))];
  if (missing.length === 0) return null;
  if (process.getuid?.() !== 0)
    return `not root, so cannot apt-get install the missing packages: ${missing.join(' ')}`;
  log(`lab: installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { timeoutMs: 300_000, env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    timeoutMs: 600_000,
    env,
  });
  const still = Object.keys(NEEDED).filter((bin) => !which(bin));
  return still.length > 0 ? `apt-get did not provide: ${still.join(' ')}` : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Names and link addresses of one lab instance; `slot` keeps parallel runs (several engineers, CI) apart. */
export function namespacesFor(slot: number) {
  return {
    jump: `${NS_JUMP}-${slot}`,
    site: `${NS_SITE}-${slot}`,
    rootVeth: `rdpt-j0-${slot}`,
    rootAddress: `10.77.255.${4 * slot + 1}`,
    jumpAddress: `10.77.255.${4 * slot + 2}`,
  };
}

const SLOT_DIR = '/run/rdpt-lab';
const MAX_SLOTS = 60;

/** Claims a free slot (a file holding our PID; a dead owner's slot is taken over). */
function claimSlot(): number {
  mkdirSync(SLOT_DIR, { recursive: true });
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const path = join(SLOT_DIR, `slot-${slot}`);
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return slot;
    } catch {
      const owner = Number(readFileSync(path, 'utf8'));
      if (!isAlive(owner)) {
        rmSync(path, { force: true });
        try {
          writeFileSync(path, String(process.pid), { flag: 'wx' });
          return slot;
        } catch {
          // Someone else took it first.
        }
      }
    }
  }
  throw new Error(`all ${MAX_SLOTS} lab slots are in use`);
}

function liveSlots(): number {
  try {
    return readdirSync(SLOT_DIR).filter((name) => isAlive(Number(readFileSync(join(SLOT_DIR, name), 'utf8'))))
      .length;
  } catch {
    return 0;
  }
}

async function createNamespaces(slot: number): Promise<boolean> {
  const n = namespacesFor(slot);
  await deleteNamespaces(slot);
  if (!(await tryRun('ip', ['netns', 'add', n.jump]))) return false;
  const steps: string[][] = [
    ['netns', 'add', n.site],
    ['link', 'add', n.rootVeth, 'type', 'veth', 'peer', 'name', 'rdpt-jr', 'netns', n.jump],
    ['addr', 'add', `${n.rootAddress}/30`, 'dev', n.rootVeth],
    ['link', 'set', n.rootVeth, 'up'],
    // Safety: nothing of the lab range may leave the root namespace through eth0.
    ['route', 'replace', 'unreachable', '10.77.0.0/16'],
    ['-n', n.jump, 'link', 'add', 'rdpt-js', 'type', 'veth', 'peer', 'name', 'rdpt-sj', 'netns', n.site],
    ['-n', n.jump, 'addr', 'add', `${n.jumpAddress}/30`, 'dev', 'rdpt-jr'],
    ['-n', n.jump, 'addr', 'add', '10.77.0.1/24', 'dev', 'rdpt-js'],
    ['-n', n.jump, 'link', 'set', 'lo', 'up'],
    ['-n', n.jump, 'link', 'set', 'rdpt-jr', 'up'],
    ['-n', n.jump, 'link', 'set', 'rdpt-js', 'up'],
    ['-n', n.site, 'link', 'set', 'lo', 'up'],
    ['-n', n.site, 'link', 'set', 'rdpt-sj', 'up'],
    ...Object.entries(LAB_HOSTS)
      .filter(([name]) => name !== 'absent') // in DNS, but no host answers ARP
      .map(([, octet]) => [
        '-n',
        n.site,
        'addr',
        'add',
        `${labAddress('netns', octet)}/24`,
        'dev',
        'rdpt-sj',
      ]),
    ['-n', n.site, 'addr', 'add', '10.77.0.53/24', 'dev', 'rdpt-sj'],
  ];
  for (const step of steps) await run('ip', step);
  // A dropped SYN would keep sshd's connect pending ~134 s (gotcha 9); 2 retries end it in ~7 s.
  await run('ip', ['netns', 'exec', n.jump, 'sysctl', '-qw', 'net.ipv4.tcp_syn_retries=2']);
  await run('ip', ['netns', 'exec', n.jump, 'sysctl', '-qw', 'net.ipv4.ip_forward=0']);
  // The jump's resolver is the site DNS (lab-notes §2: `ip netns exec` bind-mounts these files).
  mkdirSync(`/etc/netns/${n.jump}`, { recursive: true });
  writeFileSync(
    `/etc/netns/${n.jump}/resolv.conf`,
    'nameserver 10.77.0.53\nsearch lab\noptions timeout:2 attempts:1\n',
  );
  writeFileSync(`/etc/netns/${n.jump}/hosts`, '127.0.0.1 localhost\n');
  const dropRule =
    'table inet rdpt_drop {\n chain input {\n  type filter hook input priority 0;\n  ip daddr 10.77.0.13 drop\n }\n}\n';
  await run('ip', ['netns', 'exec', n.site, 'nft', '-f', '-'], { input: dropRule });
  return true;
}

async function deleteNamespaces(slot: number): Promise<void> {
  const n = namespacesFor(slot);
  for (const ns of [n.site, n.jump]) await tryRun('ip', ['netns', 'delete', ns]);
  await tryRun('ip', ['link', 'delete', n.rootVeth]);
  rmSync(`/etc/netns/${n.jump}`, { recursive: true, force: true });
}

function freeDisplay(): number {
  for (let n = 77; n < 120; n++)
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  throw new Error('no free X display between :77 and :119');
}

/** Builds the lab: keys, namespaces (or loopback), every daemon. Returns what tests need. */
export async function startLab(log: (line: string) => void = () => {}): Promise<LabInfo> {
  // LAB_DIR pins the directory (examples/config.lab.yaml points at /tmp/rdp-triage-lab).
  const dir = process.env.LAB_DIR ?? mkdtempSync(join(tmpdir(), 'rdpt-lab-'));
  mkdirSync(dir, { recursive: true });
  const skipped: LabInfo['skipped'] = {};
  let mode: LabMode = process.env.LAB_MODE === 'loopback' ? 'loopback' : 'netns';
  const slot = claimSlot();
  const names = namespacesFor(slot);
  if (mode === 'netns' && !(await createNamespaces(slot))) {
    log('lab: `ip netns add` failed, using the loopback fallback');
    mode = 'loopback';
  }
  const site = mode === 'netns' ? names.site : null;
  const jumpNs = mode === 'netns' ? names.jump : null;
  const jump =
    mode === 'netns' ? { host: names.jumpAddress, port: 22 } : { host: '127.0.0.1', port: await freePort() };
  const addresses = labAddresses(mode);
  const dnsServer = mode === 'netns' ? '10.77.0.53' : labAddress('loopback', LOOPBACK_DNS_OCTET);
  if (mode === 'loopback') {
    skipped.absent = 'loopback mode has no absent host (all of 127/8 is local)';
    await tryRun('nft', ['delete', 'table', 'inet', 'rdpt_lo']);
    const rule = `table inet rdpt_lo {\n chain output {\n  type filter hook output priority 0;\n  ip daddr ${addresses.filtered} tcp dport 3389 drop\n }\n}\n`;
    if (
      !(await run('nft', ['-f', '-'], { input: rule }).then(
        () => true,
        () => false,
      ))
    )
      skipped.filtered = 'nft could not install the drop rule on loopback';
  }

  // Xvfb is slow to start on a busy machine: start it first, it is needed last (shadow server).
  const display = freeDisplay();
  startDaemon(dir, 'xvfb', null, 'Xvfb', [`:${display}`, '-nolisten', 'tcp', '-screen', '0', '800x600x24']);
  const keys = await makeSshKeys(dir, jump.host, jump.port);
  const { caPem } = await makeCertificates(dir, mode);
  mkdirSync('/run/sshd', { recursive: true });
  const sshdConfigPath = join(dir, 'sshd_config');
  writeFileSync(sshdConfigPath, sshdConfig(dir, { address: jump.host, port: jump.port }));
  startDaemon(dir, 'sshd', jumpNs, '/usr/sbin/sshd', [
    '-D',
    '-f',
    sshdConfigPath,
    '-E',
    join(dir, 'sshd.auth.log'),
  ]);
  startDaemon(dir, 'dnsmasq', site, which('dnsmasq') ?? 'dnsmasq', dnsmasqArgs(dir, mode, dnsServer));

  const xrdps = [
    ['xrdp-ok', addresses['rdp-ok'], 'negotiate'],
    ['xrdp-tlsonly', addresses['rdp-tlsonly'], 'tls'],
    ['xrdp-rdponly', addresses['rdp-rdponly'], 'rdp'],
    ['xrdp-hung', addresses['rdp-hung'], 'negotiate'],
  ] as const;
  mkdirSync('/run/xrdp/sockdir', { recursive: true });
  for (const [name, address, layer] of xrdps) {
    writeFileSync(join(dir, `${name}.ini`), xrdpIni(dir, name, address, layer));
    startDaemon(dir, name, site, '/usr/sbin/xrdp', ['--nodaemon', '--config', join(dir, `${name}.ini`)]);
  }

  // The host that comes back gets its xrdp only when a test starts it (startComeback).
  writeFileSync(
    join(dir, 'xrdp-comeback.ini'),
    xrdpIni(dir, 'xrdp-comeback', addresses.comeback, 'negotiate'),
  );

  for (const name of ['tls-ok', 'tls-expired', 'tls-mismatch'] as const) {
    startDaemon(dir, name, site, 'openssl', [
      's_server',
      '-quiet',
      '-www',
      '-accept',
      `${addresses[name]}:443`,
      '-cert',
      join(dir, `${name}.pem`),
      '-key',
      join(dir, `${name}.key`),
      '-cert_chain',
      caPem,
    ]);
  }
  // rdg-soon is an RD Gateway too, its certificate expiring in 3 days.
  for (const name of ['rdg', 'proxy', 'web', 'rdg-soon'] as const) {
    startDaemon(dir, name, site, process.execPath, [
      join(HERE, 'fake-gateway.mjs'),
      name === 'rdg-soon' ? 'rdg' : name,
      addresses[name],
      '443',
      join(dir, `${name}.chain.pem`),
      join(dir, `${name}.key`),
    ]);
  }

  // FreeRDP's shadow server with NLA required needs an X display (lab-notes §4) and a SAM file.
  const sam = await run('winpr-hash', ['-u', 'alice', '-p', 'Lab-Passw0rd!', '-f', 'sam']);
  const samDomain = await run('winpr-hash', ['-u', 'alice', '-p', 'Lab-Passw0rd!', '-d', 'LAB', '-f', 'sam']);
  writeFileSync(join(dir, 'shadow.sam'), `${sam.trim()}\n${samDomain.trim()}\n`);
  mkdirSync(join(dir, 'shadow-home'), { recursive: true });
  await waitFor(() => existsSync(`/tmp/.X11-unix/X${display}`), { timeoutMs: 5000, intervalMs: 50 }).catch(
    () => {}, // the shadow server's start below then fails and says why
  );
  // Xvfb creates its socket file a moment before it accepts; the shadow server gives up at once
  // ("failed to open display"), so it gets a few bounded attempts.
  const startShadow = async (daemon: string, host: LabHostName, env: Record<string, string>) => {
    const shadowArgs = [
      `/bind-address:${addresses[host]}`,
      '/port:3389',
      '/sec:nla',
      `/sam-file:${join(dir, 'shadow.sam')}`,
    ];
    // The shadow server names itself (NTLM CHALLENGE) after the host name: as root it gets its
    // own UTS namespace named after its lab host, like a real server, whatever this machine is called.
    const [command, args] =
      process.getuid?.() === 0
        ? [
            'unshare',
            [
              '--uts',
              '--',
              'sh',
              '-c',
              `hostname ${host} && exec "$0" "$@"`,
              'freerdp-shadow-cli',
              ...shadowArgs,
            ],
          ]
        : ['freerdp-shadow-cli', shadowArgs];
    for (let attempt = 0; attempt < 10; attempt++) {
      startDaemon(dir, daemon, site, command, args, {
        ...process.env,
        DISPLAY: `:${display}`,
        HOME: join(dir, 'shadow-home'),
        ...env,
      });
      if (await listensSoon(site, addresses[host], 3389, () => isAlive(readPid(dir, daemon) ?? -1))) return;
      await stopDaemon(dir, daemon);
      // Back-off between restarts of a daemon that gave up (Xvfb not accepting yet): no assertion
      // waits on this, and there is no event to wait for from outside Xvfb.
      await sleepMs(300);
    }
  };
  await startShadow('shadow-nla', 'rdp-nla', {});
  // The same server with its clock 20 minutes ahead (libfaketime): the clock-skew ticket.
  if (existsSync(LIBFAKETIME))
    await startShadow('shadow-skew', 'rdp-skew', {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: '+20m',
      DONT_FAKE_MONOTONIC: '1',
    });
  else skipped.skew = `libfaketime is not installed (${LIBFAKETIME}; apt-get install libfaketime)`;

  const waits: [string, number][] = [
    [addresses['rdp-ok'], 3389],
    [addresses['rdp-tlsonly'], 3389],
    [addresses['rdp-rdponly'], 3389],
    [addresses['rdp-hung'], 3389],
    [addresses['tls-ok'], 443],
    [addresses['tls-expired'], 443],
    [addresses['tls-mismatch'], 443],
    [addresses['rdg-soon'], 443],
    [addresses.rdg, 443],
    [addresses.proxy, 443],
    [addresses.web, 443],
    [dnsServer, 53],
  ];
  await Promise.all(waits.map(([address, port]) => waitListening(site, address, port)));
  await waitListening(jumpNs, jump.host, jump.port);
  try {
    await waitListening(site, addresses['rdp-nla'], 3389);
  } catch {
    skipped.nla = `freerdp-shadow-cli did not start (see ${join(dir, 'shadow-nla.log')})`;
  }
  if (!skipped.skew)
    try {
      await waitListening(site, addresses['rdp-skew'], 3389);
    } catch {
      skipped.skew = `freerdp-shadow-cli under libfaketime did not start (see ${join(dir, 'shadow-skew.log')})`;
    }
  await freezeHung(dir);

  const pids = Object.fromEntries(
    DAEMONS.flatMap((name) => {
      const pid = readPid(dir, name);
      return pid ? [[name, pid]] : [];
    }),
  );
  const info: LabInfo = {
    mode,
    dir,
    jump: {
      ...jump,
      username: 'root',
      privateKeyPath: join(dir, 'client_ed25519'),
      knownHostsPath: join(dir, 'known_hosts'),
    },
    hostKeyFingerprint: keys.fingerprint,
    dnsServer,
    caFile: caPem,
    addresses,
    skipped,
    pids,
    createdNamespaces: mode === 'netns',
    slot,
    ns: mode === 'netns' ? { jump: names.jump, site: names.site } : null,
    sshdConfigPath,
  };
  writeFileSync(join(dir, 'lab.json'), JSON.stringify(info, null, 2));
  return info;
}

/** Tears down everything startLab started (recorded PIDs only), then the namespaces and its slot. */
export async function stopLab(
  lab: Pick<LabInfo, 'dir' | 'mode' | 'createdNamespaces' | 'slot'>,
): Promise<void> {
  await Promise.all(DAEMONS.map((name) => stopDaemon(lab.dir, name)));
  if (lab.createdNamespaces) await deleteNamespaces(lab.slot);
  if (lab.mode === 'loopback') await tryRun('nft', ['delete', 'table', 'inet', 'rdpt_lo']);
  rmSync(join(SLOT_DIR, `slot-${lab.slot}`), { force: true });
  // The safety route is shared by every lab on this machine: the last one removes it.
  if (lab.createdNamespaces && liveSlots() === 0)
    await tryRun('ip', ['route', 'delete', 'unreachable', '10.77.0.0/16']);
  if (!process.env.LAB_KEEP) rmSync(lab.dir, { recursive: true, force: true });
}

/** Freezes the hung xrdp (SIGSTOP). Its backlog of 2 accepts 3 handshakes, then drops SYNs (gotcha 4). */
export async function freezeHung(dir: string): Promise<void> {
  const pid = readPid(dir, 'xrdp-hung');
  if (pid && isAlive(pid)) process.kill(pid, 'SIGSTOP');
  else throw new Error(`the hung xrdp is not running (see ${join(dir, 'xrdp-hung.log')})`);
}

/** Restarts the hung xrdp with an empty accept queue (what `scenario.sh hung-reset` did). */
export async function resetHung(lab: LabInfo): Promise<void> {
  await stopDaemon(lab.dir, 'xrdp-hung');
  const site = lab.ns?.site ?? null;
  startDaemon(lab.dir, 'xrdp-hung', site, '/usr/sbin/xrdp', [
    '--nodaemon',
    '--config',
    join(lab.dir, 'xrdp-hung.ini'),
  ]);
  await waitListening(site, lab.addresses['rdp-hung'], 3389);
  await freezeHung(lab.dir);
}

/** The host that was down comes back: its xrdp starts, and this resolves once it listens. */
export async function startComeback(lab: LabInfo): Promise<void> {
  const site = lab.ns?.site ?? null;
  startDaemon(lab.dir, 'xrdp-comeback', site, '/usr/sbin/xrdp', [
    '--nodaemon',
    '--config',
    join(lab.dir, 'xrdp-comeback.ini'),
  ]);
  await waitListening(site, lab.addresses.comeback, 3389);
}

/** The host that comes back goes down again (connections to it are refused). */
export async function stopComeback(lab: LabInfo): Promise<void> {
  await stopDaemon(lab.dir, 'xrdp-comeback');
}

/** Kills the jump's sshd and every session it serves (the "jump goes down" fault). */
export async function stopJump(lab: LabInfo): Promise<void> {
  await stopDaemon(lab.dir, 'sshd');
}

export async function startJump(lab: LabInfo): Promise<void> {
  const ns = lab.ns?.jump ?? null;
  startDaemon(lab.dir, 'sshd', ns, '/usr/sbin/sshd', [
    '-D',
    '-f',
    lab.sshdConfigPath,
    '-E',
    join(lab.dir, 'sshd.auth.log'),
  ]);
  await waitListening(ns, lab.jump.host, lab.jump.port);
}

/** Established TCP connections to the jump's sshd port, counted inside the jump's namespace. */
export async function countJumpConnections(lab: LabInfo): Promise<number> {
  const args = ['-Htn', 'state', 'established', `( sport = :${lab.jump.port} )`];
  const out = lab.ns ? await run('ip', ['netns', 'exec', lab.ns.jump, 'ss', ...args]) : await run('ss', args);
  return out.split('\n').filter((line) => line.includes(`${lab.jump.host}:${lab.jump.port}`)).length;
}

export function sshdLog(lab: LabInfo): string {
  try {
    return readFileSync(join(lab.dir, 'sshd.auth.log'), 'utf8');
  } catch {
    return '';
  }
}

/** True once addr:port listens; false as soon as `alive()` turns false or after ~3 s. */
async function listensSoon(ns: string | null, address: string, port: number, alive: () => boolean) {
  const [cmd, argv] = ns ? ['ip', ['netns', 'exec', ns, 'ss', '-Hltn']] : ['ss', ['-Hltn']];
  const state = await waitFor(
    async () => {
      const out = await run(cmd as string, argv as string[]).catch(() => '');
      if (out.includes(`${address}:${port} `)) return 'listening';
      return alive() ? null : 'exited';
    },
    { timeoutMs: 3000, intervalMs: 100 },
  ).catch(() => 'timed out');
  return state === 'listening';
}
