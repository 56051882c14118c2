import { Command, Option } from 'commander';

/**
 * `rdp-triage kb lookup|search|list|check`: the knowledge base from the command line. Reads the
 * shipped data plus, with --config, the organisation's kb.extensionsDir.
 */
export function kbCommand(): Command {
  const kb = new Command('kb').description('Knowledge base: look up codes, search, list, check extensions.');
  kb.command('lookup')
    .description('Explain an error code and show its fixes (0x904, 0X00000904, 2308, exDiscReason… names).')
    .argument('<code>', 'the code as the user typed it')
    .option('--json', 'print the lookup as JSON')
    .addOption(configOption())
    .action(async (code: string, options: { json?: boolean; config?: string }) =>
      (await import('./kb.js')).kbLookup(code, options),
    );
  kb.command('search')
    .description('Search codes and fixes by words (e.g. a sentence from the error dialog).')
    .argument('<words...>', 'words to look for')
    .option('--json', 'print the hits as JSON')
    .addOption(configOption())
    .action(async (words: string[], options: { json?: boolean; config?: string }) =>
      (await import('./kb.js')).kbSearch(words, options),
    );
  kb.command('list')
    .description('List the catalogue: codes, fixes, causes (default: all three).')
    .argument('[what]', 'codes | fixes | causes')
    .option('--json', 'print as JSON')
    .addOption(configOption())
    .action(async (what: string | undefined, options: { json?: boolean; config?: string }) =>
      (await import('./kb.js')).kbList(what, options),
    );
  kb.command('check')
    .description("Validate an organisation's extension directory (extra codes, fixes, overrides).")
    .argument('[dir]', 'the directory (default: kb.extensionsDir of --config)')
    .addOption(configOption())
    .action(async (dir: string | undefined, options: { config?: string }) =>
      (await import('./kb.js')).kbCheck(dir, options),
    );
  return kb;
}

function configOption(): Option {
  return new Option('--config <file>', 'YAML configuration file (for kb.extensionsDir)').env(
    'RDP_TRIAGE_CONFIG',
  );
}
