import { Command, InvalidArgumentError, Option } from 'commander';
import type { AuditEvent } from '../store/audit-log.js';
import { openStoreFile } from './store-file.js';

interface AuditOptions {
  user?: string;
  host?: string;
  since?: number;
  json?: boolean;
  limit: number;
  config?: string;
  db?: string;
}

/**
 * `rdp-triage audit [--user U] [--host H] [--since 7d] [--json]`: who asked what, what was probed
 * and refused, and feedback votes, newest first, from the SQLite store (`store.path` in the config
 * or `--db`). Text is shown redacted, as stored.
 */
export function auditCommand({ now = Date.now }: { now?: () => number } = {}): Command {
  return new Command('audit')
    .description('Show the audit log: requests, probes, refusals and feedback votes, newest first.')
    .option('--user <id>', 'only this platform user id')
    .option('--host <name>', 'only requests that named or probed this host')
    .option('--since <age>', 'only newer than an age (90s, 30m, 12h, 7d, 2w) or an ISO date', (value) =>
      parseSince(value, now()),
    )
    .option('--json', 'one JSON object per line')
    .option('--limit <n>', 'at most this many events', parseLimit, 1000)
    .addOption(new Option('--config <file>', 'YAML configuration file (store.path)').env('RDP_TRIAGE_CONFIG'))
    .option('--db <file>', 'SQLite store to read (instead of store.path from the config)')
    .action(async (options: AuditOptions) => {
      // The config schema and SQLite load only when the command runs (src/cli.ts).
      const { createAuditLog } = await import('../store/audit-log.js');
      const { db } = await openStoreFile(options, {
        unset:
          'no audit log configured (store.path: none, or no home directory): set store.path in the config or pass --db',
        absent: (path) => `no audit log at ${path} yet`,
      });
      try {
        const events = createAuditLog(db).query({
          ...(options.user !== undefined && { user: options.user }),
          ...(options.host !== undefined && { host: options.host }),
          ...(options.since !== undefined && { sinceMs: options.since }),
          limit: options.limit,
        });
        for (const event of events)
          process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : `${formatEvent(event)}\n`);
        if (!options.json && events.length === 0) process.stderr.write('no matching audit events\n');
      } finally {
        db.close();
      }
    });
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `7d` → now − 7 days (ms since epoch); an ISO date as it is. */
export function parseSince(value: string, now: number): number {
  const age = /^(\d{1,6})([smhdw])$/.exec(value.trim());
  if (age) return now - Number(age[1]) * (UNITS[age[2] ?? 'd'] ?? 0);
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date))
    throw new InvalidArgumentError(
      'expected an age such as 90s, 30m, 12h, 7d, 2w or an ISO date (2026-11-01)',
    );
  return date;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function formatEvent(event: AuditEvent): string {
  if (event.kind === 'feedback')
    return `${event.at}  ${event.platform} ${event.user}  feedback: fix ${event.fixId} ${event.helped ? 'helped' : 'did not help'} (triage ${event.triageId}${event.codes.length > 0 ? `, codes ${event.codes.join(' ')}` : ''})`;
  const lines = [
    `${event.at}  ${event.platform} ${event.user} in ${event.channel}  ${event.intent} → ${event.outcome}  ${JSON.stringify(event.text)}` +
      (event.codes.length > 0 ? `  codes ${event.codes.join(' ')}` : '') +
      (event.error ? `  error: ${JSON.stringify(event.error)}` : ''),
  ];
  for (const probe of event.probes)
    lines.push(
      `    probe ${probe.probe} ${probe.target}${probe.jump ? ` via ${probe.jump}` : ''}: ${probe.status} ${probe.code} (${probe.ms} ms)`,
    );
  for (const refusal of event.refusals)
    lines.push(`    refused ${JSON.stringify(refusal.target)}: ${refusal.reason}`);
  return lines.join('\n');
}
