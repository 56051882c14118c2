#!/usr/bin/env node
// The only entry point: runs the compiled CLI in dist/ (`npm run build`; `npm ci` runs it through
// `prepare`). Plain JavaScript from here on, so a scripted `classify` does not pay for a compiler.
try {
  await import('../dist/cli.js');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/cli.js');
  if (!missing) throw error;
  process.stderr.write('rdp-triage: dist/ is not built: run `npm run build` (npm ci runs it)\n');
  process.exitCode = 1;
}
