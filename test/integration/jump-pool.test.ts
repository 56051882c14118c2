import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { createJumpPool, type JumpPool } from '../../src/probes/jump-pool.js';
import type { Finding } from '../../src/report/finding.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { runTriage } from '../../src/triage/run.js';
import { waitFor } from '../helpers/wait-for.js';
import { countJumpConnections, sshdLog, startJump, stopJump } from './lab/lab.js';
import { labConfig, understandingFor } from './lab/lab-config.js';
import { describeWithLab } from './lab/lab-suite.js';

// The pool against a real OpenSSH jump with the default limits (MaxSessions 10, MaxStartups
// 10:30:100): many triages share one connection, a dead jump is a Finding, a wrong host key is
// refused before anything is sent.

describeWithLab('jump pool against OpenSSH', (lab) => {
  let pool: JumpPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  /** A triage of `hosts` through the pool (runTriage itself); its findings. */
  async function triage(
    p: JumpPool,
    config: ReturnType<typeof labConfig>,
    hosts: string[],
    signal: AbortSignal,
    onFinding: (finding: Finding) => void = () => {},
  ) {
    const deps = {
      config,
      allowlist: createAllowlist(config),
      connectorFor: (jump: string | null) => {
        if (jump === null) throw new Error('a lab target was routed directly');
        return p.connector(jump);
      },
    };
    return (await runTriage(understandingFor(hosts), deps, { signal, onFinding })).findings;
  }

  /** Resolves with the first finding `which` picks, as the triage streams them. */
  function findingWhere(which: (finding: Finding) => boolean) {
    let seen: (finding: Finding) => void = () => {};
    const found = new Promise<Finding>((resolve) => (seen = resolve));
    return { found, onFinding: (finding: Finding) => which(finding) && seen(finding) };
  }

  test('200 concurrent triages × 3 hosts: all complete, no "open failed", one TCP connection', async () => {
    const config = labConfig(lab, { timeoutMs: 8000 });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const p = pool;
    const hosts = ['rdp-ok.lab', 'rdp-tlsonly.lab', 'closed.lab'];
    let peakConnections = 0;
    let sampling = true;
    // A measurement, not a synchronisation: sshd's connection count sampled every 200 ms while
    // the triages run (no assertion waits on it; the pool's own connectsStarted is asserted too).
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
    // The pool's clock, so that its reconnect back-off can be passed without waiting for it.
    let skewMs = 0;
    pool = createJumpPool({
      jumps: config.jumps,
      timeoutMs: config.probes.timeoutMs,
      now: () => Date.now() + skewMs,
    });
    const p = pool;
    // Warm: the connection is up before the fault.
    expect(
      (await triage(p, config, ['rdp-ok.lab'], AbortSignal.timeout(20_000))).some(
        (f) => f.code === 'RDP_NEG_TLS',
      ),
    ).toBe(true);
    try {
      // filtered.lab keeps its channel pending until the deadline: once rdp-ok.lab has answered
      // through the jump, the kill lands mid-triage.
      const answered = findingWhere((f) => f.target === 'rdp-ok.lab:3389' && f.probe === 'rdp');
      const running = triage(
        p,
        config,
        ['filtered.lab', 'rdp-ok.lab'],
        AbortSignal.timeout(20_000),
        answered.onFinding,
      );
      expect((await answered.found).code).toBe('RDP_NEG_TLS');
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
    // A reconnect that failed while the jump was down backs off (0.5 s, doubling up to 30 s); a
    // user's next message comes later than that: move the pool's clock past any back-off.
    skewMs += 60_000;
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
    const accepted = () => (sshdLog(lab).match(/Accepted publickey/g) ?? []).length;
    // sshd's line for a connection that ended before authentication (INFO, OpenSSH 8–9).
    const endedPreauth = () =>
      (sshdLog(lab).match(/(?:Connection (?:closed|reset) by|Disconnected from) .*\[preauth\]/g) ?? [])
        .length;
    const acceptedBefore = accepted();
    const endedBefore = endedPreauth();
    const config = labConfig(lab, { knownHostsPath: join(lab.dir, file) });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const findings = await triage(pool, config, ['rdp-ok.lab', 'closed.lab'], AbortSignal.timeout(20_000));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ probe: 'jump', target: 'lab-jump', status: 'fail', code });
    expect(findings[0]?.summary).toMatch(text);
    expect(findings[0]?.summary).toContain('no probe was sent');
    expect(pool.stats('lab-jump')).toMatchObject({ channelsOpened: 0, connected: false });
    // Barrier: sshd has logged the end of that connection, so any authentication is logged too.
    await waitFor(() => endedPreauth() > endedBefore, {
      what: 'sshd to log the connection ending [preauth]',
    });
    expect(accepted()).toBe(acceptedBefore);
  });

  test('cancelling a triage closes its channels at once', async () => {
    const config = labConfig(lab, { timeoutMs: 8000 });
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
    const controller = new AbortController();
    // Mid-triage: rdp-hung.lab's channel is open (its tcp probe answered, its RDP probe waits for
    // an answer that never comes) and filtered.lab's is still pending.
    const hungOpen = findingWhere((f) => f.target === 'rdp-hung.lab:3389' && f.probe === 'tcp');
    const running = triage(
      pool,
      config,
      ['rdp-hung.lab', 'filtered.lab', 'rdp-ok.lab'],
      controller.signal,
      hungOpen.onFinding,
    );
    expect((await hungOpen.found).code).toBe('TCP_OPEN');
    expect(pool.stats('lab-jump').channelsOpen).toBeGreaterThan(0);
    const cancelled = performance.now();
    controller.abort();
    await running;
    // The probes' deadlines are 8 s away: only the cancel can end the triage this soon.
    expect(performance.now() - cancelled).toBeLessThan(1500);
    await waitFor(() => pool?.stats('lab-jump').channelsOpen === 0, {
      timeoutMs: 1000,
      what: 'every channel closed',
    });
  });
});
