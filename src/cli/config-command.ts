import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { findSecrets } from '../access/redact.js';
import { ConfigError, formatConfigIssue } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';

/**
 * `rdp-triage config check FILE`: validates a config file the way the bot does at start-up.
 * Exit 0 and a one-line summary when it is valid; exit 1 and one line per problem (file:line:
 * key path: what is wrong) when it is not. Secrets written into the file are flagged.
 */
export function configCommand(): Command {
  const config = new Command('config').description('Work with the configuration file.');
  config
    .command('check')
    .description('Validate a YAML config file (with RDP_TRIAGE__… environment overrides) and summarise it.')
    .argument('<file>', 'the YAML configuration file')
    .action(async (file: string) => {
      let loaded: Awaited<ReturnType<typeof loadConfig>>;
      try {
        loaded = await loadConfig(file);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const issue of error.issues) process.stderr.write(`${formatConfigIssue(issue)}\n`);
        process.stderr.write(
          `${file}: invalid (${error.issues.length} problem(s)); the bot will not start with it\n`,
        );
        process.exitCode = 1;
        return;
      }
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        const kinds = findSecrets(line);
        if (kinds.length > 0)
          process.stderr.write(
            `${file}:${index + 1}: warning: looks like a secret (${kinds.join(', ')}); set it with an RDP_TRIAGE__<key>__<key> environment variable instead\n`,
          );
      });
      const store = loaded.store.path
        ? `audit log ${loaded.store.path} (kept ${loaded.store.retentionDays} days)`
        : 'no audit log (store.path unset)';
      const roles =
        loaded.access.roles.length > 0
          ? `${loaded.access.roles.length} role(s)`
          : 'no roles (everyone may probe)';
      process.stdout.write(
        `${file}: OK — ${loaded.inventory.length} inventory host(s), ${loaded.jumps.length} jump(s), ` +
          `${loaded.allow.suffixes.length} allowed suffix(es), ${loaded.allow.cidrs.length} allowed CIDR(s), ${roles}, ${store}\n`,
      );
    });
  return config;
}
