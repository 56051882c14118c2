import { Command } from 'commander';
import { messageText } from './options.js';

/** `rdp-triage classify`: what the bot understands from a message, without probing anything. */
export function classifyCommand(): Command {
  return new Command('classify')
    .description('Print what the bot understands from a message (intent, codes, hosts, gateway, symptoms).')
    .argument('[text...]', 'the message; omit with --jsonl')
    .option('--json', 'print the Understanding as JSON')
    .option(
      '--jsonl',
      'read one message per line from stdin (plain text or {"id","text"}), print one JSON object per line',
    )
    .option(
      '--image <file>',
      'a screenshot of the error dialog (PNG/JPEG): read its text (OCR) and classify it',
    )
    .action(async (words: string[], options: { json?: boolean; jsonl?: boolean; image?: string }) => {
      const classify = await import('./classify.js');
      if (options.jsonl) return classify.classifyLines(process.stdin);
      if (options.image !== undefined)
        return classify.classifyImage(options.image, words.join(' '), Boolean(options.json));
      classify.classifyText(messageText(words, 'classify'), Boolean(options.json));
    });
}
