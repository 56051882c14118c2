import { spawn } from 'node:child_process';

/**
 * Starts `writer` (a TypeScript child run with tsx) with `args`, reads the lines it prints as
 * `parse` reads them (one per committed write), and SIGKILLs it once it printed `after`.
 * Resolves to every line it printed; rejects if it ended any other way.
 */
export function killUnderLoad<T>(
  writer: string,
  args: readonly string[],
  after: number,
  parse: (line: string) => T,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: T[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) lines.push(parse(line));
      if (lines.length >= after && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code ?? signal}: ${stderr}`));
      else resolve(lines);
    });
  });
}
