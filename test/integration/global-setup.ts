import type { TestProject } from 'vitest/node';
import { prepareHost, startLab, stopLab } from './lab/lab.js';
import type { LabInfo } from './lab/lab-plan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running lab, or null when it could not start (see `labMissing`). */
    lab: LabInfo | null;
    labMissing: string;
  }
}

/**
 * Starts the lab once for the integration project (real sshd, xrdp, FreeRDP shadow, openssl,
 * dnsmasq, nft in network namespaces, or on loopback) and tears it down after the last file.
 * When it cannot run (not root and packages missing, not Linux), or a server in it did not start,
 * every lab test fails naming the reason (test/helpers/prerequisites.ts), on CI and elsewhere.
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const reason = await prepareHost(log).catch((error: unknown) => `package install failed: ${String(error)}`);
  if (reason) {
    log(`\n[integration] the lab cannot run, its tests fail: ${reason}\n`);
    project.provide('lab', null);
    project.provide('labMissing', reason);
    return;
  }
  const started = Date.now();
  let lab: LabInfo;
  try {
    lab = await startLab(log);
  } catch (error) {
    const why = `the lab did not start: ${error instanceof Error ? error.message : String(error)}`;
    log(`\n[integration] ${why}; its tests fail\n`);
    project.provide('lab', null);
    project.provide('labMissing', why);
    return;
  }
  log(`[integration] lab up in ${lab.mode} mode in ${Date.now() - started} ms (${lab.dir})`);
  // A part that did not start fails the tests that need it (failIfMissing), naming why.
  for (const [what, why] of Object.entries(lab.skipped)) log(`[integration] lab: no ${what}: ${why}`);
  project.provide('lab', lab);
  project.provide('labMissing', '');
  return async () => {
    await stopLab(lab);
  };
}
