import { Command, Option } from 'commander';

/**
 * `rdp-triage serve`: the chat bot, until SIGTERM / SIGINT. Bolt, botbuilder, Redis and BullMQ
 * load only when this command runs, so `classify`, `triage` and `chat` start in a fraction of the time.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Run the chat bot: Slack when SLACK_BOT_TOKEN is set (Socket Mode with SLACK_APP_TOKEN, else HTTP on SLACK_PORT with SLACK_SIGNING_SECRET); Teams on POST /api/messages (TEAMS_PORT, default 3978) when MICROSOFT_APP_ID is set or TEAMS_ENABLED=true.',
    )
    .addOption(new Option('--config <file>', 'YAML configuration file').env('RDP_TRIAGE_CONFIG'))
    .action(async (options: { config?: string }) => {
      const { loadConfig } = await import('../config/load-config.js');
      const { runBot } = await import('../app/run-bot.js');
      const config = await loadConfig(options.config);
      // Logs, metrics, health port, Redis-shared state and zone workers, graceful shutdown (src/ops).
      const { shutdown, served, runtime } = await runBot({ config });
      shutdown.installSignalHandlers();
      for (const surface of served.surfaces)
        runtime.logger.info({ surface: surface.name, address: surface.address }, 'serving');
      // Stays up until SIGTERM / SIGINT.
      await new Promise<never>(() => {});
    });
}
