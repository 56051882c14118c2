import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BIN = fileURLToPath(new URL('../../bin/rdp-triage.js', import.meta.url));
const run = promisify(execFile);
// The suite's own RDP_TRIAGE_CONFIG never leaks into the CLI under test.
const { RDP_TRIAGE_CONFIG: _ignored, ...INHERITED } = process.env;

/** Runs the real `bin/rdp-triage.js` (compiled dist/) with `args`; never throws on a non-zero exit. */
export async function runCli(
  args: string[],
  { timeoutMs = 110_000, env = {} }: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      timeout: timeoutMs,
      env: { ...INHERITED, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
