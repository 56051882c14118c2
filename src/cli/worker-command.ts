import { Command, InvalidArgumentError, Option } from 'commander';

/**
 * `rdp-triage worker --zone eu`: a probe worker for one network zone. It needs the same Redis as
 * the bot (`REDIS_URL`) and a config whose `ops.zones` names the zone; its own allow lists decide
 * what it probes. BullMQ, ioredis and the SSH pool load only when a worker really starts.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description('Probe worker for one network zone: takes probe jobs from Redis, streams findings back.')
    .requiredOption('--zone <name>', 'zone to serve (config ops.zones[].name)')
    .addOption(new Option('--config <file>', 'YAML configuration file').env('RDP_TRIAGE_CONFIG'))
    .option('--concurrency <n>', 'jobs at once (default: the zone setting)', parsePositive)
    .action(async (options: { zone: string; config?: string; concurrency?: number }) => {
      const { loadConfig } = await import('../config/load-config.js');
      const { runWorker } = await import('../app/run-worker.js');
      const { shutdown } = await runWorker({
        config: await loadConfig(options.config),
        zone: options.zone,
        ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      });
      shutdown.installSignalHandlers();
      // Stays up until SIGTERM / SIGINT.
      await new Promise<never>(() => {});
    });
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
}
