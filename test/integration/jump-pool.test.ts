import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, inject, test } from 'vitest';
import type { Finding } from '../../src/probes/finding.js';
import { createJumpPool, type JumpPool } from '../../src/probes/jump-pool.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { plan } from '../../src/triage/plan.js';
import { probeTarget } from '../../src/triage/run.js';
import { countJumpConnections, sshdLog, startJump, stopJump } from './lab/lab.js';
import { labConfig, understandingFor } from './lab/lab-config.js';

// The pool against a real OpenSSH jump with the default limits (MaxSessions 10, MaxStartups
// 10:30:100): many triages share one connection, a dead jump is a Finding, a wrong host key is
// refused before anything is sent.
const lab = inject('lab');
const skipReason = inject('labSkipReason');

describe.skipIf(!lab)(`jump pool against OpenSSH${lab ? '' : `: skipped, ${skipReason}`}`, () => {
  if (!lab) return;
  let pool: JumpPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  /** plan → probeTarget for every target, as runTriage does (with its jump-finding dedupe). */
  async function triage(
    p: JumpPool,
    config: ReturnType<typeof labConfig>,
    hosts: string[],
    signal: AbortSignal,
  ) {
    const allowlist = createAllowlist(config);
    const deps = {
      config,
      allowlist,
      connectorFor: (jump: string | null) => {
        if (jump === null) throw new Error('a lab target was routed directly');
        return p.connector(jump);
      },
    };
    const triagePlan = plan(understandingFor(hosts), config, allowlist);
    const findings: Finding[] = [];
    const seenJump = new Set<string>();
    const emit = (f: Finding) => {
      if (f.probe === 'jump' && seenJump.has(f.code)) return;
      if (f.probe === 'jump') seenJump.add(f.code);
      findings.push(f);
    };
    await Promise.all(
      triagePlan.targets.map((target) =>
        probeTarget(target, triagePlan.timeoutMs, deps, { signal, emit, refuse: () => {} }),
      ),
    );
    return findings;
  }

  test('200 concurrent triages × 3 hosts: all complete, no "open failed", one TCP connection', async () => {
    const config = labConfig(lab, { timeoutMs: 8000 });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const p = pool;
    const hosts = ['rdp-ok.lab', 'rdp-tlsonly.lab', 'closed.lab'];
    let peakConnections = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakConnections = Math.max(peakConnections, await countJumpConnections(lab));
        await sleep(200);
      }
    })();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => triage(p, config, hosts, AbortSignal.timeout(60_000))),
    );
    const wall = performance.now() - started;
    sampling = false;
    await sampler;
    const all = results.flat();
    // Every triage answered for every host (tcp + rdp + tls each)…
    for (const findings of results)
      for (const host of hosts)
        for (const probe of ['tcp', 'rdp', 'tls'])
          expect(findings.some((f) => f.probe === probe && f.target === `${host}:3389`)).toBe(true);
    // …through one SSH connection, with no refused channel anywhere.
    expect(all.filter((f) => f.probe === 'jump')).toEqual([]);
    expect(JSON.stringify(all)).not.toMatch(/open failed/);
    expect(p.stats('lab-jump').connectsStarted).toBe(1);
    expect(peakConnections).toBe(1);
    // The answers are the real ones, not timeouts.
    const rdpOk = all.filter((f) => f.probe === 'rdp' && f.target === 'rdp-ok.lab:3389');
    expect(rdpOk.filter((f) => f.code === 'RDP_NEG_TLS').length).toBe(200);
    expect(
      all
        .filter((f) => f.target === 'closed.lab:3389' && f.probe === 'tcp')
        .every((f) => f.code === 'TCP_REFUSED'),
    ).toBe(true);
    console.info(
      `200 triages × 3 hosts: ${Math.round(wall)} ms, ${all.length} findings, peak ${peakConnections} connection`,
    );
  });

  test('killing the jump mid-triage: a JUMP_UNREACHABLE finding, then the next triage reconnects', async () => {
    const config = labConfig(lab, { timeoutMs: 4000 });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const p = pool;
    // Warm: the connection is up before the fault.
    expect(
      (await triage(p, config, ['rdp-ok.lab'], AbortSignal.timeout(20_000))).some(
        (f) => f.code === 'RDP_NEG_TLS',
      ),
    ).toBe(true);
    try {
      // filtered.lab keeps its channel pending until the deadline: the kill lands mid-triage.
      const running = triage(p, config, ['filtered.lab', 'rdp-ok.lab'], AbortSignal.timeout(20_000));
      await sleep(600);
      await stopJump(lab);
      const findings = await running;
      expect(findings.find((f) => f.probe === 'jump')).toMatchObject({
        target: 'lab-jump',
        status: 'fail',
        code: 'JUMP_UNREACHABLE',
      });
    } finally {
      await startJump(lab);
    }
    // The backoff after the failed reconnect is 0.5 s; a user's next message comes later than that.
    await sleep(700);
    const again = await triage(p, config, ['rdp-ok.lab'], AbortSignal.timeout(20_000));
    expect(again.filter((f) => f.probe === 'jump')).toEqual([]);
    expect(again.find((f) => f.probe === 'rdp')).toMatchObject({ code: 'RDP_NEG_TLS' });
    expect(p.stats('lab-jump').connectsStarted).toBeGreaterThanOrEqual(2);
  });

  test.for([
    {
      case: 'changed host key',
      file: 'known_hosts.wrong',
      code: 'JUMP_HOST_KEY_MISMATCH',
      text: /HOST KEY CHANGED/,
    },
    {
      case: 'unknown host key',
      file: 'known_hosts.other-host',
      code: 'JUMP_HOST_KEY_UNKNOWN',
      text: /not pinned/,
    },
  ])('$case: refused with a clear message, no probe sent', async ({ file, code, text }) => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    // A known_hosts that pins a key for another host only: this jump's key is simply unknown.
    writeFileSync(
      join(lab.dir, 'known_hosts.other-host'),
      readFileSync(lab.jump.knownHostsPath, 'utf8').replace(/^\S+/, 'some-other-host'),
    );
    const acceptedBefore = (sshdLog(lab).match(/Accepted publickey/g) ?? []).length;
    const config = labConfig(lab, { knownHostsPath: join(lab.dir, file) });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const findings = await triage(pool, config, ['rdp-ok.lab', 'closed.lab'], AbortSignal.timeout(20_000));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ probe: 'jump', target: 'lab-jump', status: 'fail', code });
    expect(findings[0]?.summary).toMatch(text);
    expect(findings[0]?.summary).toContain('no probe was sent');
    expect(pool.stats('lab-jump')).toMatchObject({ channelsOpened: 0, connected: false });
    await sleep(200);
    expect((sshdLog(lab).match(/Accepted publickey/g) ?? []).length).toBe(acceptedBefore);
  });

  test('cancelling a triage closes its channels at once', async () => {
    const config = labConfig(lab, { timeoutMs: 8000 });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const controller = new AbortController();
    const started = performance.now();
    const running = triage(pool, config, ['rdp-hung.lab', 'filtered.lab', 'rdp-ok.lab'], controller.signal);
    await sleep(1500);
    controller.abort();
    await running;
    expect(performance.now() - started).toBeLessThan(3000);
    for (let i = 0; i < 20 && pool.stats('lab-jump').channelsOpen > 0; i++) await sleep(50);
    expect(pool.stats('lab-jump').channelsOpen).toBe(0);
  });
});
