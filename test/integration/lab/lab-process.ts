import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../helpers/wait-for.js';

/** Runs a command (never through a shell), returns stdout; rejects with stderr on failure. */
export function run(
  command: string,
  args: string[],
  { input, timeoutMs = 60_000, env }: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, ...(env && { env }) },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function tryRun(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeoutMs: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** In a namespace, or in the root namespace when `ns` is null. */
export function inNs(ns: string | null, command: string, args: string[]): [string, string[]] {
  return ns ? ['ip', ['netns', 'exec', ns, command, ...args]] : [command, args];
}

/**
 * Starts a daemon in its own session (`detached`), output to `<dir>/NAME.log`, and records its PID
 * and command in `<dir>/NAME.pid` / `.cmd` so that another process (a test, the teardown) can stop
 * it. `ip netns exec` exec()s, so the PID is the daemon's own (lab-notes §6).
 */
export function startDaemon(
  dir: string,
  name: string,
  ns: string | null,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): number {
  const [cmd, argv] = inNs(ns, command, args);
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn(cmd, argv, { detached: true, stdio: ['ignore', log, log], env });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  writeFileSync(join(dir, `${name}.pid`), String(child.pid));
  writeFileSync(join(dir, `${name}.cmd`), command);
  return child.pid;
}

/** Alive and not a zombie (gotcha 2: PID 1 reaps lazily, so /proc/PID alone is not enough). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Direct and indirect children of `pid` (from PPid in /proc/*\/status). */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we listed it.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    for (const child of parents.get(queue[i] ?? -1) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Stops the daemon recorded as NAME, if its cmdline still contains the recorded command (sshd
 * rewrites its title, so a substring match, gotcha 1), then its descendants (xrdp's per-connection
 * children act on TERM only when their client talks, gotcha 3: KILL after a grace period).
 */
export async function stopDaemon(dir: string, name: string): Promise<void> {
  let pid: number;
  let command: string;
  try {
    pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8'));
    command = readFileSync(join(dir, `${name}.cmd`), 'utf8');
  } catch {
    return;
  }
  if (!isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return;
  }
  const base = command.split('/').pop() ?? command;
  if (!cmdline.includes(base)) return;
  const children = await descendants(pid);
  for (const target of [pid, ...children]) {
    signal(target, 'SIGCONT');
    signal(target, 'SIGTERM');
  }
  // Teardown: a daemon that ignores SIGTERM for 2 s gets SIGKILL; one that outlives that is left
  // (a zombie its parent has not reaped), not a reason to fail the run.
  const gone = () => ![pid, ...children].some(isAlive);
  await waitFor(gone, { timeoutMs: 2000, intervalMs: 100 }).catch(() => {});
  for (const target of [pid, ...children]) if (isAlive(target)) signal(target, 'SIGKILL');
  await waitFor(gone, { timeoutMs: 1000, intervalMs: 50 }).catch(() => {});
}

export function readPid(dir: string, name: string): number | null {
  try {
    return Number(readFileSync(join(dir, `${name}.pid`), 'utf8'));
  } catch {
    return null;
  }
}

/** Waits until something listens on addr:port inside `ns` (bounded: 5 s). */
export async function waitListening(ns: string | null, address: string, port: number): Promise<void> {
  const [cmd, argv] = inNs(ns, 'ss', ['-Hltn']);
  const listening = async () =>
    (await run(cmd, argv).catch(() => '')).split('\n').some((line) => line.includes(`${address}:${port} `));
  await waitFor(listening, { timeoutMs: 5000, intervalMs: 50 }).catch(() => {
    throw new Error(`nothing listens on ${address}:${port}${ns ? ` in namespace ${ns}` : ''} after 5 s`);
  });
}
