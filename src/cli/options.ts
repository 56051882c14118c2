import { CommanderError, InvalidArgumentError, Option } from 'commander';

// Options and arguments several subcommands share. Only commander here: a command's definition
// loads nothing else, and its action imports what it uses (see src/cli.ts).

/** `--probe-timeout <ms>`: one deadline for every probe, overriding probes.timeoutMs / timeouts. */
export function probeTimeoutOption(): Option {
  return new Option('--probe-timeout <ms>', 'deadline of each probe in milliseconds (100-60000)').argParser(
    (value: string) => {
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms < 100 || ms > 60_000)
        throw new InvalidArgumentError('a whole number of milliseconds between 100 and 60000');
      return ms;
    },
  );
}

/** The message words as one text; none at all is a usage error (exit 2) with an example. */
export function messageText(words: string[], command: string): string {
  const text = words.join(' ');
  if (text.trim() === '')
    throw new CommanderError(
      2,
      MISSING_TEXT,
      `error: ${command} needs a message, e.g. rdp-triage ${command} "rdp 0x904 on 127.0.0.1"`,
    );
  return text;
}

/** CommanderError code of a missing message: src/cli.ts prints it (commander does not). */
export const MISSING_TEXT = 'rdp-triage.missingText';
