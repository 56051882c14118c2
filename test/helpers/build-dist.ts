import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Global setup of both test projects: the tests that spawn `bin/rdp-triage.js` run the compiled
 * dist/, so it is built from the sources under test first (incremental: about a second when
 * nothing changed). A failed build fails the run with tsc's output.
 */
export default function buildDist(): void {
  // Both projects list this setup; they run in the one vitest process, so build once.
  if (process.env.RDP_TRIAGE_DIST_BUILT === '1') return;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  process.env.RDP_TRIAGE_DIST_BUILT = '1';
}
