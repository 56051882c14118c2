import { Command, Option } from 'commander';
import { messageText, probeTimeoutOption } from './options.js';

export interface TriageOptions {
  json?: boolean;
  config?: string;
  probeTimeout?: number;
  image?: string;
  user?: string;
}

/** `rdp-triage triage`: the whole triage of one message, printed as text or as the JSON Report. */
export function triageCommand(): Command {
  return new Command('triage')
    .description('Run the whole triage for one message and print the report.')
    .argument('[text...]', 'the message, e.g. "rdp 0x904 on 127.0.0.1" (optional with --image)')
    .option('--json', 'print the Report as JSON')
    .option(
      '--image <file>',
      'a screenshot of the error dialog (PNG/JPEG) or the .rdp file, read like a chat attachment',
    )
    .option('--config <file>', 'YAML configuration file (default: no jump, loopback targets only)')
    .option(
      '--user <id>',
      'who reports it: roles, rate limits, the audit log and incidents count this user (default: cli)',
    )
    .addOption(probeTimeoutOption())
    .action(async (words: string[], options: TriageOptions) => {
      const text = options.image === undefined ? messageText(words, 'triage') : words.join(' ');
      const { triageOnce } = await import('./triage.js');
      await triageOnce(text, options);
    });
}

/** `rdp-triage chat`: the console chat, the same conversation core as Slack and Teams. */
export function chatCommand(): Command {
  return new Command('chat')
    .description('Interactive console chat (the same conversation core as Slack and Teams).')
    .addOption(new Option('--config <file>', 'YAML configuration file').env('RDP_TRIAGE_CONFIG'))
    .addOption(probeTimeoutOption())
    .action(async (options: { config?: string; probeTimeout?: number }) => {
      const { chat } = await import('./triage.js');
      await chat(options);
    });
}
