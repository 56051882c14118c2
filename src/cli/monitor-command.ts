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
 * CronJob); the incidents and the failure streaks live in the store, so passes add up. With
 * SLACK_BOT_TOKEN set, what changed is also told in Slack as serve tells it (src/app/monitor-once.ts).
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
      const { runMonitorOnce } = await import('../app/monitor-once.js');
      const { deadlineSignal } = await import('../deadline-signal.js');
      const { createLogger } = await import('../log/logger.js');
      const config = await loadConfig(options.config);
      // stdout carries the changes; a post that failed or was retried is logged on stderr.
      const logger = createLogger({ level: 'warn', destination: process.stderr });
      const changes = await runMonitorOnce({ config, logger, signal: deadlineSignal(5 * 60_000) });
      for (const change of changes)
        process.stdout.write(options.json ? `${JSON.stringify(change)}\n` : `${formatChange(change)}\n`);
      if (!options.json && changes.length === 0) process.stderr.write('no monitors and no open incidents\n');
    });
}

function formatChange({ change, incident, source, detail }: MonitorChange): string {
  const what = incident ? `${incident.id} ${incident.target} ${incident.cause} (${incident.state})` : '';
  return [change.padEnd(11), source, what, detail ?? ''].filter(Boolean).join('  ');
}
