import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { readSlackPostSettings } from '../config/slack-env.js';
import { readTeamsSettings, TEAMS_MIN_UPDATE_INTERVAL_MS, type TeamsSettings } from '../config/teams-env.js';
import type { IncidentChange } from '../incidents/relay-changes.js';
import { assembleBot, type Bot } from './assemble.js';
import { createBotNotifier, type ShowMessage } from './incident-notifier.js';
import { type MonitorChange, runMonitorPass } from './monitor.js';
import { openSharedIncidents } from './shared-incidents.js';

/**
 * `rdp-triage monitor --once` (issue 19): one monitor pass, and what it changed told where people
 * work, as serve would: the helpdesk post created or edited, the reporters of a resolved incident
 * told in their thread. Slack is told when SLACK_BOT_TOKEN is set (a post-only Web API client:
 * nothing is received, so no receiver and no signing secret); Teams when serve's Teams settings are
 * (MICROSOFT_APP_ID…, or TEAMS_ENABLED for the Emulator): a post-only botbuilder adapter, no
 * listener, writing to the conversation references serve learned and kept in the store. Resolves
 * once every message went out or gave up after its retries, so a cron job never exits with a post
 * half sent.
 */
export async function runMonitorOnce({
  config,
  env = process.env,
  logger,
  signal,
}: {
  config: Config;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  signal: AbortSignal;
}): Promise<MonitorChange[]> {
  // Both platforms' settings are read before anything is probed: a bad one stops the pass.
  const outlets = await slackOutlet(env);
  const teams = readTeamsSettings(env);
  let tell: (change: IncidentChange) => void = () => {};
  // With REDIS_URL the incidents serve's replicas keep; else the store file.
  const shared = await openSharedIncidents(config, env);
  const bot = assembleBot({
    config,
    onIncidentChange: (change) => tell(change),
    ...(shared && { sharedIncidents: shared.incidents }),
  });
  const notifier = createBotNotifier(bot, config, logger);
  for (const [platform, outlet] of Object.entries(outlets)) if (outlet) notifier.register(platform, outlet);
  tell = notifier.onChange;
  try {
    if (teams)
      notifier.register('teams', await teamsOutlet(teams, config, bot, logger), {
        minUpdateIntervalMs: TEAMS_MIN_UPDATE_INTERVAL_MS,
      });
    return await runMonitorPass(bot, config, signal);
  } finally {
    // The store is still open: the notifier records the helpdesk posts it makes.
    await notifier.idle();
    notifier.stop();
    await bot.close();
    await shared?.close();
  }
}

/** Slack's post-only outlet, loaded only when SLACK_BOT_TOKEN is set (the CLI never pays for it otherwise). */
async function slackOutlet(env: NodeJS.ProcessEnv): Promise<Partial<Record<string, ShowMessage>>> {
  const settings = readSlackPostSettings(env);
  if (!settings) return {};
  const [{ WebClient }, { showInSlack }] = await Promise.all([
    import('@slack/web-api'),
    import('../bot/adapters/slack/slack-surface.js'),
  ]);
  const client = new WebClient(settings.botToken, {
    ...(settings.apiUrl && { slackApiUrl: settings.apiUrl }),
    // The notifier retries (and logs) a failed post itself.
    retryConfig: { retries: 0 },
  });
  // The same surface serve's Slack app shows these with: an edit of that message, or a post.
  const slack: ShowMessage = showInSlack(client);
  return { slack };
}

/**
 * Teams' post-only outlet: botbuilder's CloudAdapter without an HTTP listener, whose
 * continueConversationAsync writes to the references serve learned (read from the bot's store) or
 * to the helpdesk channel as configured, through the Teams adapter's own show path (the same
 * cards, edits in place, reporters told in their conversation). Loaded only when Teams is
 * configured.
 */
async function teamsOutlet(
  settings: TeamsSettings,
  config: Config,
  bot: Bot,
  logger: Logger,
): Promise<ShowMessage> {
  const [
    { CloudAdapter, ConfigurationBotFrameworkAuthentication },
    { loadConversationReferences },
    { showMessage },
  ] = await Promise.all([
    import('botbuilder'),
    import('../bot/conversation/conversation-references.js'),
    import('../bot/adapters/teams/teams-bot.js'),
  ]);
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(settings.botFrameworkAuth));
  const poster = {
    adapter,
    appId: settings.appId,
    references: await loadConversationReferences(
      { helpdesk: config.incidents.helpdesk.teams, conversations: bot.conversations, logger },
      settings,
    ),
  };
  return (where, reply) => showMessage(poster, where, reply);
}
