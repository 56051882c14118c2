import { Command } from 'commander';

/** `rdp-triage config check FILE` (src/cli/config-check.ts, loaded when it runs). */
export function configCommand(): Command {
  const config = new Command('config').description('Work with the configuration file.');
  config
    .command('check')
    .description('Validate a YAML config file (with RDP_TRIAGE__… environment overrides) and summarise it.')
    .argument('<file>', 'the YAML configuration file')
    .action(async (file: string) => (await import('./config-check.js')).checkConfig(file));
  return config;
}
