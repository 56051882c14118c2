// npm run bench:probes — figures for issue 6, measured in one run against the local lab (root):
//  1. battery wall time ÷ slowest single probe               (bar ≤ 1.3)
//  2. rdp-triage vs one `ssh jump <probe>` per check, sequential (bar ≤ 0.2×)
//  3. rdp-triage vs `nmap -Pn -p 3389 --script rdp-enum-encryption` on the jump (bar ≤ 0.5×, more correct)
//  4. RSS of this process during 200 concurrent triages × 3 hosts (bar ≤ 200 MB)
//  5. names and version from the NTLM CHALLENGE = nmap rdp-ntlm-info's, on every target it reads
// Traffic goes only to the lab's namespaces (or loopback). Every loop is bounded.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/config/schema.js';
import { createJumpPool, type JumpPool } from '../src/probes/jump-pool.js';
import type { Finding } from '../src/report/finding.js';
import { createAllowlist } from '../src/triage/allowlist.js';
import { plan } from '../src/triage/plan.js';
import { probeTarget } from '../src/triage/run.js';
import { prepareHost, resetHung, startLab, stopLab } from '../test/integration/lab/lab.js';
import { labConfig, understandingFor } from '../test/integration/lab/lab-config.js';
import type { LabInfo } from '../test/integration/lab/lab-plan.js';

const HOSTS = ['rdp-ok.lab', 'rdp-nla.lab', 'rdp-rdponly.lab', 'closed.lab'];
const GATEWAY = 'rdg.lab';
const RDP_TARGETS = ['rdp-ok', 'rdp-tlsonly', 'rdp-rdponly', 'rdp-nla'] as const;
/** What each RDP server really offers at best (lab-notes §3): the ground truth for "correct". */
const TRUTH: Record<(typeof RDP_TARGETS)[number], 'NLA' | 'TLS' | 'RDP'> = {
  'rdp-ok': 'TLS',
  'rdp-tlsonly': 'TLS',
  'rdp-rdponly': 'RDP',
  'rdp-nla': 'NLA',
};

const out = (line = '') => process.stdout.write(`${line}\n`);

async function triage(
  pool: JumpPool,
  config: Config,
  hosts: string[],
  gateway: string | null,
  signal: AbortSignal,
) {
  const allowlist = createAllowlist(config);
  const deps = {
    config,
    allowlist,
    connectorFor: (jump: string | null) => pool.connector(jump ?? 'lab-jump'),
  };
  const triagePlan = plan(understandingFor(hosts, gateway), config, allowlist);
  const findings: Finding[] = [];
  const io = { signal, emit: (f: Finding) => findings.push(f), refuse: () => {} };
  await Promise.all(triagePlan.targets.map((t) => probeTarget(t, triagePlan.timeoutMs, deps, io)));
  return findings;
}

function sh(
  command: string,
  args: string[],
  timeoutMs = 30_000,
  input?: string,
): Promise<{ ms: number; stdout: string; ok: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: timeoutMs, maxBuffer: 8 << 20 }, (error, stdout) =>
      resolve({ ms: performance.now() - started, stdout: String(stdout), ok: !error }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * Slowest single check = one probe kind on one named target, run alone the way a user asking for
 * just that would get it (name lookup through the jump, then the probe). Battery = every probe on
 * every target at once. Warm connection both times; the median of 7 rounds (2 shared cores make single rounds noisy).
 */
async function batteryRatio(pool: JumpPool, config: Config) {
  const allowlist = createAllowlist(config);
  const deps = { config, allowlist, connectorFor: () => pool.connector('lab-jump') };
  const triagePlan = plan(understandingFor(HOSTS, GATEWAY), config, allowlist);
  const ratios: number[] = [];
  let last = { wall: 0, slowest: 0, which: '' };
  for (let round = 0; round < 7; round++) {
    let slowest = 0;
    let which = '';
    for (const target of triagePlan.targets) {
      for (const kind of target.probes.filter((k) => k !== 'dns')) {
        // On a gateway the tls finding comes from the gateway probe's connection.
        if (target.role === 'gateway' && kind === 'tls') continue;
        const single = { ...target, probes: [...target.probes.filter((k) => k === 'dns'), kind] };
        const io = { signal: AbortSignal.timeout(30_000), emit: () => {}, refuse: () => {} };
        const started = performance.now();
        await probeTarget(single, triagePlan.timeoutMs, deps, io);
        const ms = performance.now() - started;
        if (ms > slowest) [slowest, which] = [ms, `${kind} ${target.name}`];
      }
    }
    const started = performance.now();
    await triage(pool, config, HOSTS, GATEWAY, AbortSignal.timeout(30_000));
    const wall = performance.now() - started;
    ratios.push(wall / slowest);
    last = { wall, slowest, which };
  }
  return { ratio: median(ratios), ...last };
}

function sshConfig(lab: LabInfo): string {
  const path = join(lab.dir, 'bench_ssh_config');
  writeFileSync(
    path,
    [
      'Host jump',
      `  HostName ${lab.jump.host}`,
      `  Port ${lab.jump.port}`,
      `  User ${lab.jump.username}`,
      `  IdentityFile ${lab.jump.privateKeyPath}`,
      `  UserKnownHostsFile ${lab.jump.knownHostsPath}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
  return path;
}

/** The same checks, each as its own `ssh jump <command>` process, one after the other. */
async function sshBaseline(lab: LabInfo): Promise<number> {
  const cfg = sshConfig(lab);
  const ssh = (command: string) => sh('ssh', ['-F', cfg, 'jump', command], 15_000);
  const x224 =
    '\\x03\\x00\\x00\\x13\\x0e\\xe0\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x08\\x00\\x0b\\x00\\x00\\x00';
  const started = performance.now();
  for (const name of [...HOSTS, GATEWAY]) {
    const ip = lab.addresses[name.replace(/\.lab$/, '') as keyof LabInfo['addresses']];
    const port = name === GATEWAY ? 443 : 3389;
    await ssh(`getent ahosts ${name}`);
    await ssh(`timeout 4 bash -c '</dev/tcp/${ip}/${port}'`);
    if (name === GATEWAY) {
      await ssh(`timeout 4 openssl s_client -connect ${ip}:443 -servername ${name} </dev/null`);
      await ssh(
        `printf 'RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\\r\\nHost: ${name}\\r\\n\\r\\n' | timeout 4 openssl s_client -quiet -connect ${ip}:443 -servername ${name}`,
      );
    } else {
      await ssh(
        `timeout 4 bash -c 'exec 3<>/dev/tcp/${ip}/3389; printf "${x224}" >&3; head -c 19 <&3 | od -An -tx1'`,
      );
    }
  }
  return performance.now() - started;
}

function nmapVerdict(block: string): 'NLA' | 'TLS' | 'RDP' | 'unknown' {
  if (/CredSSP \(NLA\): SUCCESS/.test(block)) return 'NLA';
  if (/SSL: SUCCESS/.test(block)) return 'TLS';
  if (/Native RDP: SUCCESS/.test(block)) return 'RDP';
  return 'unknown';
}

function ourVerdict(findings: Finding[], name: string): 'NLA' | 'TLS' | 'RDP' | 'unknown' {
  // The first negotiation's finding (the NLA check, RDP_NLA_*, is a second rdp finding).
  const rdp = findings.find(
    (f) => f.probe === 'rdp' && f.target.startsWith(`${name}.lab:`) && !f.code.startsWith('RDP_NLA_'),
  );
  if (!rdp) return 'unknown';
  if (rdp.code === 'RDP_NEG_NLA' || rdp.code === 'RDP_NEG_FAILURE_HYBRID_REQUIRED_BY_SERVER') return 'NLA';
  if (rdp.code === 'RDP_NEG_TLS' || rdp.code === 'RDP_NEG_FAILURE_SSL_REQUIRED_BY_SERVER') return 'TLS';
  if (rdp.code === 'RDP_NEG_LEGACY_RDP') return 'RDP';
  return 'unknown';
}

async function nmapComparison(pool: JumpPool, config: Config, lab: LabInfo) {
  const ips = RDP_TARGETS.map((name) => lab.addresses[name]);
  const args = ['-Pn', '-p', '3389', '--script', 'rdp-enum-encryption', ...ips];
  const nmap = lab.ns
    ? await sh('ip', ['netns', 'exec', lab.ns.jump, 'nmap', ...args], 120_000)
    : await sh('nmap', args, 120_000);
  const blocks = nmap.stdout.split(/Nmap scan report for /).slice(1);
  const nmapCorrect = RDP_TARGETS.filter((name) => {
    // "Nmap scan report for rdp-ok.lab (10.77.0.10)" with reverse DNS, or just the address.
    const ip = lab.addresses[name];
    const block = blocks.find((b) => b.startsWith(`${ip}\n`) || b.split('\n')[0]?.endsWith(`(${ip})`)) ?? '';
    return nmapVerdict(block) === TRUTH[name];
  }).length;
  const started = performance.now();
  const findings = await triage(
    pool,
    config,
    RDP_TARGETS.map((n) => `${n}.lab`),
    null,
    AbortSignal.timeout(30_000),
  );
  const ours = performance.now() - started;
  const ourCorrect = RDP_TARGETS.filter((name) => ourVerdict(findings, name) === TRUTH[name]).length;
  // nmap's script cannot tell "NLA required" from "NLA offered"; the shadow server requires it.
  const nlaRequired = findings.some(
    (f) => f.code === 'RDP_NLA_REQUIRED' && f.target.startsWith('rdp-nla.lab:'),
  );
  return { nmapMs: nmap.ms, ours, nmapCorrect, ourCorrect, nmapOk: nmap.ok, nlaRequired };
}

/**
 * The machine's own names and version, read by our ntlm probe and by nmap's rdp-ntlm-info on the
 * same lab targets from the jump's side: they must agree wherever nmap reads them.
 */
async function ntlmComparison(pool: JumpPool, config: Config, lab: LabInfo) {
  const targets = [...RDP_TARGETS, 'rdp-skew'] as const;
  const args = [
    '-Pn',
    '-p',
    '3389',
    '--script',
    'rdp-ntlm-info',
    ...targets.map((name) => lab.addresses[name]),
  ];
  const nmap = lab.ns
    ? await sh('ip', ['netns', 'exec', lab.ns.jump, 'nmap', ...args], 120_000)
    : await sh('nmap', args, 120_000);
  const blocks = nmap.stdout.split(/Nmap scan report for /).slice(1);
  const findings = await triage(
    pool,
    config,
    targets.map((n) => `${n}.lab`),
    null,
    AbortSignal.timeout(30_000),
  );
  let compared = 0;
  let same = 0;
  const read: string[] = [];
  for (const name of targets) {
    const ip = lab.addresses[name];
    const block = blocks.find((b) => b.startsWith(`${ip}\n`) || b.split('\n')[0]?.endsWith(`(${ip})`)) ?? '';
    const field = (key: string) => new RegExp(`${key}: (\\S+)`).exec(block)?.[1];
    const ours =
      findings.find((f) => f.probe === 'ntlm' && f.target.startsWith(`${name}.lab:`))?.detail ?? {};
    const version = ours.version as { major: number; minor: number; build: number } | undefined;
    if (field('NetBIOS_Computer_Name') === undefined) {
      if (ours.netbiosComputer !== undefined)
        read.push(`${name}: only we read ${String(ours.netbiosComputer)}`);
      continue;
    }
    compared += 1;
    const agree =
      ours.netbiosComputer === field('NetBIOS_Computer_Name') &&
      ours.dnsComputer === field('DNS_Computer_Name') &&
      ours.dnsDomain === field('DNS_Domain_Name') &&
      (version ? `${version.major}.${version.minor}.${version.build}` : undefined) ===
        field('Product_Version');
    if (agree) same += 1;
    read.push(
      `${name}: ${field('NetBIOS_Computer_Name')} ${field('Product_Version')}${agree ? '' : ' (DIFFERS)'}`,
    );
  }
  return { compared, same, read };
}

async function rssUnderLoad(pool: JumpPool, config: Config) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 200 }, () =>
      triage(pool, config, ['rdp-ok.lab', 'rdp-nla.lab', 'closed.lab'], null, AbortSignal.timeout(60_000)),
    ),
  );
  clearInterval(timer);
  const complete = results.filter((findings) =>
    ['rdp-ok.lab', 'rdp-nla.lab', 'closed.lab'].every((h) =>
      findings.some((f) => f.target === `${h}:3389` && f.probe === 'tcp'),
    ),
  ).length;
  const openFailed = results.flat().filter((f) => /open failed/.test(f.summary)).length;
  return { peakMb: peak / 2 ** 20, complete, openFailed, wall: performance.now() - started };
}

const reason = await prepareHost((line) => process.stderr.write(`${line}\n`));
if (reason) {
  out(`bench:probes needs the lab: ${reason}`);
  process.exit(1);
}
const lab = await startLab((line) => process.stderr.write(`${line}\n`));
let pool: JumpPool | null = null;
try {
  const config = labConfig(lab, { timeoutMs: 4000 });
  pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
  await resetHung(lab);
  await triage(pool, config, ['rdp-ok.lab'], null, AbortSignal.timeout(30_000)); // warm the connection
  out(
    `bench:probes — lab in ${lab.mode} mode, jump ${lab.jump.host}:${lab.jump.port}, probe timeout ${config.probes.timeoutMs} ms`,
  );
  if (Object.keys(lab.skipped).length > 0)
    out(
      `  (lab without: ${Object.entries(lab.skipped)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')})`,
    );

  const battery = await batteryRatio(pool, config);
  const bar = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  out(
    `1. battery wall ÷ slowest single probe: ${battery.ratio.toFixed(2)} (wall ${Math.round(battery.wall)} ms, slowest single: ${battery.which} ${Math.round(battery.slowest)} ms)  bar ≤ 1.3  ${bar(battery.ratio <= 1.3)}`,
  );

  const started = performance.now();
  await triage(pool, config, HOSTS, GATEWAY, AbortSignal.timeout(30_000));
  const oursMs = performance.now() - started;
  const baselineMs = await sshBaseline(lab);
  const vsSsh = oursMs / baselineMs;
  out(
    `2. rdp-triage ${Math.round(oursMs)} ms vs one ssh process per check ${Math.round(baselineMs)} ms: ${vsSsh.toFixed(3)}×  bar ≤ 0.2×  ${bar(vsSsh <= 0.2)}`,
  );

  const nmap = await nmapComparison(pool, config, lab);
  const vsNmap = nmap.ours / nmap.nmapMs;
  out(
    `3. rdp-triage ${Math.round(nmap.ours)} ms vs nmap rdp-enum-encryption ${Math.round(nmap.nmapMs)} ms: ${vsNmap.toFixed(3)}×; correct security layer ${nmap.ourCorrect}/${RDP_TARGETS.length} vs nmap ${nmap.nmapCorrect}/${RDP_TARGETS.length}; NLA required on rdp-nla told apart: ${nmap.nlaRequired ? 'yes' : 'NO'} (nmap: no such check)  bar ≤ 0.5× and more correct  ${bar(vsNmap <= 0.5 && nmap.ourCorrect > nmap.nmapCorrect)}`,
  );

  const load = await rssUnderLoad(pool, config);
  out(
    `4. 200 concurrent triages × 3 hosts: ${load.complete}/200 complete in ${Math.round(load.wall)} ms, ${load.openFailed} "open failed", ${pool.stats('lab-jump').connectsStarted} SSH connection(s); peak RSS ${load.peakMb.toFixed(0)} MB  bar ≤ 200 MB  ${bar(load.peakMb <= 200)}`,
  );

  const ntlm = await ntlmComparison(pool, config, lab);
  out(
    `5. machine names and OS version from the NTLM CHALLENGE, ours vs nmap rdp-ntlm-info: the same on ${ntlm.same}/${ntlm.compared} targets where nmap reads them (${ntlm.read.join('; ')})  bar: all the same  ${bar(ntlm.compared > 0 && ntlm.same === ntlm.compared)}`,
  );
} finally {
  await pool?.close();
  await stopLab(lab);
}
