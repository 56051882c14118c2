import { Command, Option } from 'commander';
import type { MonitorChange } from '../app/monitor.js';

interface MonitorOptions {
  once?: boolean;
  json?: boolean;
  config?: string;
}

/**
 * `rdp-triage monitor --once [--json]`: one monitor pass — every configured monitor probed, every
 * open incident re-probed — printing what changed, then exit. Run it from cron (or a Kubernetes
 * CronJob); the incidents and the failure streaks live in the store, so passes add up.
 */
export function monitorCommand(): Command {
  return new Command('monitor')
    .description('Probe the configured monitors and re-probe open incidents once; print what changed.')
    .option('--once', 'one pass, then exit (the only mode: serve runs the schedule)')
    .option('--json', 'one JSON object per line')
    .addOption(new Option('--config <file>', 'YAML configuration file').env('RDP_TRIAGE_CONFIG'))
    .action(async (options: MonitorOptions) => {
      const { TriageError } = await import('../errors.js');
      if (!options.once)
        throw new TriageError('CONFIG_INVALID', 'monitor needs --once (one pass, then exit)');
      const { loadConfig } = await import('../config/load-config.js');
      const { assembleBot } = await import('../app/assemble.js');
      const { runMonitorPass } = await import('../app/monitor.js');
      const { deadlineSignal } = await import('../deadline-signal.js');
      const { openSharedIncidents } = await import('../app/shared-incidents.js');
      const config = await loadConfig(options.config);
      // With REDIS_URL the incidents serve's replicas keep; else the store file.
      const shared = await openSharedIncidents(config);
      const bot = assembleBot({ config, ...(shared && { sharedIncidents: shared.incidents }) });
      try {
        const changes = await runMonitorPass(bot, config, deadlineSignal(5 * 60_000));
        for (const change of changes)
          process.stdout.write(options.json ? `${JSON.stringify(change)}\n` : `${formatChange(change)}\n`);
        if (!options.json && changes.length === 0)
          process.stderr.write('no monitors and no open incidents\n');
      } finally {
        await bot.close();
        await shared?.close();
      }
    });
}

function formatChange({ change, incident, source, detail }: MonitorChange): string {
  const what = incident ? `${incident.id} ${incident.target} ${incident.cause} (${incident.state})` : '';
  return [change.padEnd(11), source, what, detail ?? ''].filter(Boolean).join('  ');
}
