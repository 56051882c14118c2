import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The CLI keeps its audit log under the user's data directory when the config names none: tests
// (and the CLIs they spawn) keep theirs in a scratch directory, never in the developer's home —
// one per test file (test/helpers/own-data-dir.ts), this one for anything that runs before it.
const env = { XDG_DATA_HOME: join(tmpdir(), 'rdp-triage-test-data') };
const setupFiles = ['test/helpers/own-data-dir.ts'];

// Three projects. unit: in-process tests (loopback fakes of Slack, Teams and SSH servers at most),
// `npm run test:unit`. processes: tests that start programs — the bin, tsx scripts, ImageMagick,
// the OCR worker — under test/processes/. integration: the real servers (sshd, xrdp,
// freerdp-shadow, openssl, dnsmasq, redis), one file at a time. `npm test` runs all three.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          env,
          setupFiles,
          // The CLI tests spawn bin/rdp-triage.js, which runs dist/: build it from these sources.
          globalSetup: ['test/helpers/build-dist.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/processes/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'processes',
          env,
          setupFiles,
          // The bin runs dist/: build it from these sources.
          globalSetup: ['test/helpers/build-dist.ts'],
          include: ['test/processes/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          env,
          setupFiles,
          include: ['test/integration/**/*.test.ts'],
          // Starts the probe lab (sshd jump, xrdp, FreeRDP shadow, openssl, dnsmasq) once; see lab/.
          globalSetup: ['test/helpers/build-dist.ts', 'test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
