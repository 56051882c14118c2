import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { closedPort } from '../../helpers/closed-port.js';
import { runCli } from '../../helpers/run-cli.js';

// Two users report the same down port through the real CLI; `rdp-triage incidents` lists one
// incident with both, read back from the store file by a new process.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const cli = (args: string[]) => runCli(args);

let dir = '';
let config = '';
let port = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-incidents-cli-'));
  config = join(dir, 'bot.yaml');
  port = await closedPort();
  const probes = `probes:\n  timeoutMs: 1500\n  rdpPorts: [3389, ${port}]\n`;
  await writeFile(config, `store:\n  path: ${join(dir, 'store.sqlite')}\n${probes}`);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('two users reporting one down host make one incident; the second is told it is known', async () => {
  const message = `rdp 0x204 on 127.0.0.1:${port}`;
  const first = await cli(['triage', '--config', config, '--user', 'U1', message]);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).not.toContain('Known problem');
  const second = await cli(['triage', '--config', config, '--user', 'U2', message]);
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toContain('Known problem INC-1');
  expect(second.stdout).toContain('yours is report #2');

  const listed = await cli(['incidents', '--config', config, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  const incidents = listed.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(incidents).toEqual([
    expect.objectContaining({
      id: 'INC-1',
      target: '127.0.0.1',
      cause: 'TCP_REFUSED',
      state: 'open',
      reports: 2,
      reporters: ['cli:U1', 'cli:U2'],
    }),
  ]);
  const text = await cli(['incidents', '--config', config]);
  expect(text.stdout).toMatch(/^INC-1 {2}open +127\.0\.0\.1 {2}TCP_REFUSED {2}2 reports/);
});
