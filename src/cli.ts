import { Command, CommanderError } from 'commander';
import { auditCommand } from './cli/audit-command.js';
import { classifyCommand } from './cli/classify-command.js';
import { configCommand } from './cli/config-command.js';
import { incidentsCommand } from './cli/incidents-command.js';
import { kbCommand } from './cli/kb-command.js';
import { monitorCommand } from './cli/monitor-command.js';
import { MISSING_TEXT } from './cli/options.js';
import { serveCommand } from './cli/serve-command.js';
import { chatCommand, triageCommand } from './cli/triage-command.js';
import { workerCommand } from './cli/worker-command.js';

// The only entry point (bin `rdp-triage`). Usage errors exit 2, handled triages exit 0, a failure
// the user can act on (bad config, unreadable file) exits 1 with one sentence, never a stack trace.
// Each subcommand's definition imports only commander; its action imports what it uses, so a
// scripted `classify` does not load the chat SDKs, the SSH client or the OCR engine.

const program = new Command('rdp-triage')
  .description('Triage Remote Desktop failures: understand the message, probe the host, rank fixes.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const command of [
  classifyCommand(),
  triageCommand(),
  chatCommand(),
  // Probe worker for one network zone (issue 10).
  workerCommand(),
  // The chat bot: Slack (issue 7); Teams joins through SURFACES in src/app/surfaces.ts.
  serveCommand(),
  // Config validation and the audit log (issue 9).
  configCommand(),
  auditCommand(),
  // Incidents: many reports of one outage (issue 19).
  incidentsCommand(),
  monitorCommand(),
  // Knowledge base: lookup, search, list, check (issue 5).
  kbCommand(),
])
  program.addCommand(command.copyInheritedSettings(program));

try {
  await program.parseAsync(process.argv);
  // A name lookup that outlived its probe deadline still holds a libuv thread; the answer is
  // printed (stdout is synchronous for files and pipes on Linux), so do not wait for it.
  if (program.args[0] === 'triage') process.exit(process.exitCode ?? 0);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.code === MISSING_TEXT) process.stderr.write(`${error.message}\n`);
    // Help and version exit 0; every usage error (unknown flag, missing argument) exits 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    const { describeError } = await import('./errors.js');
    process.stderr.write(`rdp-triage: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
