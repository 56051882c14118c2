import { Command, Option } from 'commander';
import type { Incident } from '../report/incident.js';
import { openStoreFile } from './store-file.js';

interface IncidentsOptions {
  json?: boolean;
  all?: boolean;
  config?: string;
  db?: string;
}

/**
 * `rdp-triage incidents [--json] [--all]`: the incidents reports were grouped into, newest first,
 * from Redis when REDIS_URL is set (where serve's replicas keep them), else from the SQLite store
 * (`store.path` in the config, or `--db`). JSON: one object per line with
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
      const incidents = await readIncidents(options);
      for (const incident of incidents)
        process.stdout.write(
          options.json ? `${JSON.stringify(incident)}\n` : `${formatIncident(incident)}\n`,
        );
      if (!options.json && incidents.length === 0) process.stderr.write('no incidents\n');
    });
}

/** From Redis with REDIS_URL (unless --db names a store file), else from the SQLite store. */
async function readIncidents(options: IncidentsOptions): Promise<Incident[]> {
  const all = options.all === true;
  if (options.db === undefined) {
    // The config schema, SQLite and ioredis load only when the command runs (src/cli.ts).
    const { loadConfig } = await import('../config/load-config.js');
    const { openSharedIncidents } = await import('../app/shared-incidents.js');
    const shared = await openSharedIncidents(await loadConfig(options.config));
    if (shared)
      try {
        return await shared.incidents.tracker.list({ all });
      } finally {
        await shared.close();
      }
  }
  const { createIncidentTracker } = await import('../incidents/incident-tracker.js');
  const { db, config } = await openStoreFile(options, {
    unset:
      'no store configured (store.path: none): incidents are kept only in memory; set store.path or pass --db',
    absent: (path) => `no store at ${path} yet`,
  });
  try {
    return await createIncidentTracker(db, config.incidents).list({ all });
  } finally {
    db.close();
  }
}

function formatIncident(incident: Incident): string {
  const reports = `${incident.reports} report${incident.reports === 1 ? '' : 's'}`;
  return `${incident.id}  ${incident.state.padEnd(9)} ${incident.target}  ${incident.cause}  ${reports}  since ${incident.firstSeen}  last ${incident.lastSeen}`;
}
