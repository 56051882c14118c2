import { readFile } from 'node:fs/promises';
import { ConfigError, formatConfigIssue } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { findSecrets } from '../redact/redact.js';

/**
 * `rdp-triage config check FILE`: validates a config file the way the bot does at start-up.
 * Exit 0 and a one-line summary when it is valid; exit 1 and one line per problem (file:line:
 * key path: what is wrong) when it is not. Secrets written into the file are flagged.
 */
export async function checkConfig(file: string): Promise<void> {
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
    : 'no audit log (store.path: none, or no home directory to keep it in)';
  const roles =
    loaded.access.roles.length > 0
      ? `${loaded.access.roles.length} role(s)`
      : 'no roles (everyone may probe)';
  process.stdout.write(
    `${file}: OK — ${loaded.inventory.length} inventory host(s), ${loaded.jumps.length} jump(s), ` +
      `${loaded.allow.suffixes.length} allowed suffix(es), ${loaded.allow.cidrs.length} allowed CIDR(s), ${roles}, ${store}\n`,
  );
  process.stdout.write(`${allowRules(loaded.allow, loaded.deny)}\n`);
}

/** The allow rules in force, said plainly: operators trust what they can read. */
function allowRules(
  allow: Awaited<ReturnType<typeof loadConfig>>['allow'],
  deny: Awaited<ReturnType<typeof loadConfig>>['deny'],
): string {
  const list = (items: string[]) => (items.length > 0 ? items.join(', ') : 'none');
  const lookups = allow.resolveToCheck
    ? allow.cidrs.length > 0
      ? 'other names are looked up and probed only if every address is in the allowed CIDRs'
      : 'allow.resolveToCheck is on but no CIDR is allowed, so other names are refused without a lookup'
    : 'other names are refused without a lookup (allow.resolveToCheck off)';
  return [
    'Allow rules in force:',
    `  suffixes: ${list(allow.suffixes)}`,
    `  CIDRs: ${list(allow.cidrs)}`,
    `  ${lookups}`,
    `  denied: suffixes ${list(deny.suffixes)}; CIDRs ${list(deny.cidrs)}`,
    `  loopback, link-local and cloud-metadata addresses only where a CIDR above names them`,
  ].join('\n');
}
