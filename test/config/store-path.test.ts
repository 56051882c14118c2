import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { defaultStorePath } from '../../src/config/store-path.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rdp-store-path-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the audit log out of the box', () => {
  test.for([
    [{ XDG_DATA_HOME: '/data', HOME: '/home/u' }, '/data/rdp-triage/store.sqlite'],
    [{ HOME: '/home/u' }, '/home/u/.local/share/rdp-triage/store.sqlite'],
    // XDG Base Directory: a relative XDG_DATA_HOME is invalid and ignored.
    [{ XDG_DATA_HOME: 'data', HOME: '/home/u' }, '/home/u/.local/share/rdp-triage/store.sqlite'],
    [{}, undefined],
  ] as const)('%o → %s', ([env, expected]) => {
    expect(defaultStorePath(env)).toBe(expected);
  });

  test('no config: kept under the data directory', async () => {
    const config = await loadConfig(undefined, { env: { XDG_DATA_HOME: dir } });
    expect(config.store.path).toBe(join(dir, 'rdp-triage', 'store.sqlite'));
  });

  test('a config without store.path: the same default; store.path none: no audit log; a path: that path', async () => {
    const env = { HOME: dir };
    const cases = [
      ['probes:\n  timeoutMs: 1500\n', join(dir, '.local', 'share', 'rdp-triage', 'store.sqlite')],
      ['store:\n  path: none\n', undefined],
      [`store:\n  path: ${join(dir, 'mine.db')}\n`, join(dir, 'mine.db')],
    ] as const;
    for (const [yaml, expected] of cases) {
      const file = join(dir, 'bot.yaml');
      await writeFile(file, yaml);
      expect((await loadConfig(file, { env })).store.path, yaml).toBe(expected);
    }
  });
});
