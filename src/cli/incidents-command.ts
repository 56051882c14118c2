import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Incident } from '../incidents/incident-tracker.js';

interface IncidentsOptions {
  json?: boolean;
  all?: boolean;
  config?: string;
  db?: string;
}

/**
 * `rdp-triage incidents [--json] [--all]`: the incidents reports were grouped into, newest first,
 * from the SQLite store (`store.path` in the config, or `--db`). JSON: one object per line with
 * `id`, `target`, `cause`, `state`, `reports`, `reporters`, `firstSeen`, `lastSeen`.
 */
export function incidentsCommand(): Command {
  return new Command('incidents')
    .description(
      'List incidents (many reports of one outage), newest first; open and mitigated unless --all.',
    )
    .option('--json', 'one JSON object per line')
    .option('--all', 'resolved incidents too')
    .addOption(new Option('--config <file>', 'YAML configuration file (store.path)').env('RDP_TRIAGE_CONFIG'))
    .option('--db <file>', 'SQLite store to read (instead of store.path from the config)')
    .action(async (options: IncidentsOptions) => {
      // The config schema and SQLite load only when the command runs (src/cli.ts).
      const { loadConfig } = await import('../config/load-config.js');
      const { TriageError } = await import('../errors.js');
      const { createIncidentTracker } = await import('../incidents/incident-tracker.js');
      const { openDatabase } = await import('../store/sqlite.js');
      const config = await loadConfig(options.config);
      const path = options.db ?? config.store.path;
      if (!path)
        throw new TriageError(
          'CONFIG_INVALID',
          'no store configured (store.path: none): incidents are kept only in memory; set store.path or pass --db',
        );
      if (!existsSync(path)) throw new TriageError('STORE_UNAVAILABLE', `no store at ${path} yet`);
      const db = openDatabase(path);
      try {
        const incidents = createIncidentTracker(db, config.incidents).list({ all: options.all === true });
        for (const incident of incidents)
          process.stdout.write(
            options.json ? `${JSON.stringify(incident)}\n` : `${formatIncident(incident)}\n`,
          );
        if (!options.json && incidents.length === 0) process.stderr.write('no incidents\n');
      } finally {
        db.close();
      }
    });
}

function formatIncident(incident: Incident): string {
  const reports = `${incident.reports} report${incident.reports === 1 ? '' : 's'}`;
  return `${incident.id}  ${incident.state.padEnd(9)} ${incident.target}  ${incident.cause}  ${reports}  since ${incident.firstSeen}  last ${incident.lastSeen}`;
}
