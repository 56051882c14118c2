import { afterAll, beforeAll, inject } from 'vitest';
import { createJumpPool, type JumpPool } from '../../../src/probes/jump-pool.js';
import type { Report } from '../../../src/report/report.js';
import { createAllowlist } from '../../../src/triage/allowlist.js';
import { runTriage } from '../../../src/triage/run.js';
import { describeIfPresent } from '../../helpers/prerequisites.js';
import { labConfig, understandingFor } from './lab-config.js';
import type { LabInfo } from './lab-plan.js';

/**
 * A suite that runs against the lab started by global-setup.ts: `body` gets the running lab.
 * Without one, a failing test naming the reason (test/helpers/prerequisites.ts).
 */
export function describeWithLab(name: string, body: (lab: LabInfo) => void): void {
  const lab = inject('lab');
  if (lab) describeIfPresent(`${name} (${lab.mode})`, '', () => body(lab));
  else describeIfPresent(name, inject('labMissing') || 'the lab did not start', () => {});
}

/**
 * The lab's jump for one suite: its config (labConfig), a jump pool opened before the suite's
 * tests and closed after them, and `triage`, the real triage (runTriage) of a message naming
 * `hosts`. Lab targets are only ever probed through the jump: a direct route throws.
 */
export function labJump(lab: LabInfo, options: Parameters<typeof labConfig>[1] = {}) {
  const config = labConfig(lab, options);
  const allowlist = createAllowlist(config);
  let pool: JumpPool | undefined;
  beforeAll(() => {
    pool = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
  });
  afterAll(async () => {
    await pool?.close();
  });
  const opened = (): JumpPool => {
    if (!pool) throw new Error('the jump pool opens in beforeAll');
    return pool;
  };
  const deps = {
    config,
    allowlist,
    connectorFor: (jump: string | null) => {
      if (jump === null) throw new Error('a lab target was routed directly');
      return opened().connector(jump);
    },
  };
  return {
    config,
    pool: opened,
    triage: (hosts: string[], gateway: string | null = null): Promise<Report> =>
      runTriage(understandingFor(hosts, gateway), deps, { signal: AbortSignal.timeout(30_000) }),
  };
}
