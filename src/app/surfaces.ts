import { countingHttpFetch, countingSlackFetch } from '../bot/adapters/api-errors.js';
import { coreFrom } from '../bot/conversation/chat-core.js';
import { readSlackSettings, SLACK_MIN_UPDATE_INTERVAL_MS } from '../config/slack-env.js';
import { readTeamsSettings } from '../config/teams-env.js';
import type { SurfaceStarter } from './serve.js';

/**
 * The chat platforms `serve` can run, each an adapter under src/bot/adapters. A starter reads the
 * platform's environment (null: not configured), registers the platform's group look-up for roles
 * granted by group, and starts the adapter over the one conversation core. Each adapter loads only
 * when its platform is served: a Teams-only bot does not pay for Bolt at start-up.
 */
export const SLACK_STARTER: SurfaceStarter = {
  name: 'slack',
  enabledBy: 'SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)',
  detect(env) {
    const settings = readSlackSettings(env);
    if (!settings) return null;
    return async (context) => {
      const { logger, watch, registerGroups, onApiError } = context;
      const core = coreFrom(context, logger);
      const [{ createSlackApp }, { createSlackGroups }] = await Promise.all([
        import('../bot/adapters/slack/slack-app.js'),
        import('../directory/slack-groups.js'),
      ]);
      // Asked only when a role is granted by group (access.roles[].groups); needs usergroups:read.
      registerGroups(
        'slack',
        createSlackGroups({
          botToken: settings.botToken,
          ...(settings.apiUrl && { apiUrl: settings.apiUrl }),
          logger,
          ...(onApiError && { fetch: countingSlackFetch(onApiError) }),
        }),
      );
      const slack = createSlackApp({
        settings,
        core,
        logger,
        ...(watch?.channels.some((channel) => channel.platform === 'slack') && { watch }),
        ...(onApiError && { onApiError }),
      });
      const { port } = await slack.start();
      return {
        name: 'slack',
        address: settings.mode === 'socket' ? 'socket mode' : `http://${settings.host}:${port}/slack/events`,
        stop: () => slack.stop(),
        health: () => slack.health(),
        tellInterrupted: async (triage, text) => void (await slack.show(triage, { kind: 'text', text })),
        show: (where, reply) => slack.show(where, reply),
        minUpdateIntervalMs: SLACK_MIN_UPDATE_INTERVAL_MS,
      };
    };
  },
};

/** On when MICROSOFT_APP_ID is set, or TEAMS_ENABLED=true for the Emulator. Bad settings throw before anything starts. */
export const TEAMS_STARTER: SurfaceStarter = {
  name: 'teams',
  enabledBy:
    'MICROSOFT_APP_ID (+ MICROSOFT_APP_PASSWORD or a certificate), or TEAMS_ENABLED=true for the Bot Framework Emulator',
  detect(env) {
    const settings = readTeamsSettings(env);
    if (!settings) return null;
    return async (context) => {
      const { logger, watch, registerGroups, onApiError, helpdesk, conversations } = context;
      const core = coreFrom(context, logger);
      const [{ startTeams }, { createTeamsGroups, readGraphGroupSettings }] = await Promise.all([
        import('../bot/adapters/teams/teams-server.js'),
        import('../directory/teams-groups.js'),
      ]);
      // Roles granted by Entra ID group (access.roles[].groups) ask Microsoft Graph; none in Emulator mode.
      const graph = readGraphGroupSettings(settings, env);
      if (graph !== null)
        registerGroups(
          'teams',
          createTeamsGroups(graph, {
            logger,
            // Failed Graph / token calls count in /metrics like the Bot Connector's.
            ...(onApiError && {
              fetch: countingHttpFetch(
                'teams',
                (url) => (url.pathname.endsWith('/token') ? 'entra.token' : 'graph.memberOf'),
                onApiError,
              ),
            }),
          }),
        );
      const teams = await startTeams({
        settings,
        core,
        logger,
        ...(watch?.channels.some((channel) => channel.platform === 'teams') && { watch }),
        ...(onApiError && { onApiError }),
        ...(helpdesk?.teams && { helpdesk: helpdesk.teams }),
        // A channel learned before a restart is still reached (and by monitor --once).
        ...(conversations && { conversations }),
      });
      return {
        name: 'teams',
        address: teams.url,
        stop: () => teams.stop(),
        health: () => teams.health(),
        tellInterrupted: async (message, text) => {
          // Teams has no channel-wide post without a stored conversation reference: say so in the log.
          if (!(await teams.tellInterrupted(message, text)))
            throw new Error('its card was never posted, so there is no Teams conversation to tell');
        },
        // Incident posts in the helpdesk channel and reporters told of a resolution (issue 19).
        show: (where, reply) => teams.show(where, reply),
        minUpdateIntervalMs: teams.minUpdateIntervalMs,
      };
    };
  },
};
