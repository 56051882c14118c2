import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests of the pure core, and integration tests that start real servers
// (sshd, xrdp, freerdp-shadow, openssl, dnsmasq) and therefore run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // The CLI tests spawn bin/rdp-triage.js, which runs dist/: build it from these sources.
          globalSetup: ['test/helpers/build-dist.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
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
