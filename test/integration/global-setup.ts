import type { TestProject } from 'vitest/node';
import { requiredOnCi } from '../helpers/required-on-ci.js';
import { prepareHost, startLab, stopLab } from './lab/lab.js';
import type { LabInfo } from './lab/lab-plan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running lab, or null when it could not start (see `labSkipReason`). */
    lab: LabInfo | null;
    labSkipReason: string;
  }
}

/**
 * Starts the lab once for the integration project (real sshd, xrdp, FreeRDP shadow, openssl,
 * dnsmasq, nft in network namespaces, or on loopback) and tears it down after the last file.
 * When it cannot run (not root and packages missing, not Linux), or a server in it did not start,
 * CI fails with the reason (test/helpers/required-on-ci.ts); elsewhere the lab tests skip with it.
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const reason = await prepareHost(log).catch((error: unknown) => `package install failed: ${String(error)}`);
  if (reason) {
    requiredOnCi(`the lab cannot run: ${reason}`);
    log(`\n[integration] SKIPPING the jump/probe lab tests: ${reason}\n`);
    project.provide('lab', null);
    project.provide('labSkipReason', reason);
    return;
  }
  const started = Date.now();
  let lab: LabInfo;
  try {
    lab = await startLab(log);
  } catch (error) {
    const why = `the lab did not start: ${error instanceof Error ? error.message : String(error)}`;
    requiredOnCi(why);
    log(`\n[integration] SKIPPING the jump/probe lab tests: ${why}\n`);
    project.provide('lab', null);
    project.provide('labSkipReason', why);
    return;
  }
  log(`[integration] lab up in ${lab.mode} mode in ${Date.now() - started} ms (${lab.dir})`);
  for (const [what, why] of Object.entries(lab.skipped)) log(`[integration] lab: no ${what}: ${why}`);
  const missing = Object.entries(lab.skipped).map(([what, why]) => `no ${what} (${why})`);
  if (missing.length > 0) {
    await stopLab(lab);
    requiredOnCi(`the lab started without ${missing.join('; ')}`);
  }
  project.provide('lab', lab);
  project.provide('labSkipReason', '');
  return async () => {
    await stopLab(lab);
  };
}
