import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ShowMessage, ShowWhere } from '../bot/conversation/ports.js';
import type { Config } from '../config/schema.js';
import type { IncidentPosts } from '../incidents/incident-posts.js';
import type { IncidentTracker, Reporter } from '../incidents/incident-tracker.js';
import type { IncidentChange } from '../incidents/relay-changes.js';
import type { Incident } from '../report/incident.js';
import type { Reply } from '../report/reply.js';

// The port itself lives with the other surface ports; the notifier is its user.
export type { ShowMessage, ShowWhere };

export interface IncidentNotifier {
  /** A surface that started: where its helpdesk channel is posted to and its reporters are told. */
  register(platform: string, show: ShowMessage, options?: { minUpdateIntervalMs?: number }): void;
  /** The tracker's change listener (relayChanges): returns at once, the work runs behind it. */
  onChange(change: IncidentChange): void;
  /** Resolves when every post, edit and message so far went out (or gave up). */
  idle(): Promise<void>;
  /** Stops retrying; what is running finishes. */
  stop(): void;
}

/** A failed post or message is tried again after these waits, then logged as lost. */
const RETRY_DELAYS_MS = [1000, 5000, 30_000];

/**
 * Incidents shown where people work (issue 19). Each incident has one post per helpdesk channel:
 * posted on the first change, then edited as reports attach and its state changes. Edits of one
 * post are serialised and coalesced (the latest state wins, at most one edit per the platform's
 * interval), so a burst of forty reports is one post and a few edits. When an incident resolves,
 * every reporter gets one message where they reported. A failure is retried, then logged; it
 * never reaches the user whose report caused it.
 */
export function createIncidentNotifier({
  posts,
  helpdesk,
  reportersOf,
  logger,
  retryDelaysMs = RETRY_DELAYS_MS,
}: {
  posts: IncidentPosts;
  /** Helpdesk channel per platform (config incidents.helpdesk). */
  helpdesk: Partial<Record<string, string>>;
  reportersOf: (incidentId: string) => Promise<Reporter[]>;
  logger: Logger;
  retryDelaysMs?: number[];
}): IncidentNotifier {
  const log = logger.child({ component: 'incidents' });
  const outlets = new Map<string, { show: ShowMessage; minUpdateIntervalMs: number }>();
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  /** One lane per helpdesk post: the state still to show, while a delivery runs. */
  const lanes = new Map<string, { next: Incident | null }>();

  const track = (work: Promise<void>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  /** Runs `attempt` until it succeeds, the retries are spent, or the notifier stops. */
  const withRetries = async (what: Record<string, unknown>, attempt: () => Promise<void>) => {
    for (let tries = 0; ; tries += 1) {
      try {
        return await attempt();
      } catch (error) {
        const wait = retryDelaysMs[tries];
        if (wait === undefined || stopping.signal.aborted) {
          log.error({ err: error, ...what }, 'incident message lost after retries');
          return;
        }
        if (error instanceof PostPendingError)
          log.debug({ ...what, retryInMs: wait }, 'another replica is posting the incident; editing it next');
        else log.warn({ err: error, ...what, retryInMs: wait }, 'incident message failed; retrying');
        await delay(wait, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  };

  const deliver = async (platform: string, channel: string, incident: Incident) => {
    const outlet = outlets.get(platform);
    if (!outlet) return;
    const reply: Reply = { kind: 'incident', incident };
    const what = { incident: incident.id, platform };
    let posted: string | undefined;
    let claimed = false;
    await withRetries(what, async () => {
      const post = await posts.get(incident.id, platform);
      if (post) await outlet.show({ channel: post.channel, messageRef: post.messageRef }, reply);
      else {
        claimed ||= await posts.claim(incident.id, platform);
        // Another replica is making the first post: edit it once it is recorded.
        if (!claimed) throw new PostPendingError();
        posted = await outlet.show({ channel }, reply);
      }
    });
    // Recorded outside the retries: a store that fails after the post went out must not post it again.
    if (posted === undefined) return;
    try {
      await posts.put(incident.id, platform, { channel, messageRef: posted });
    } catch (error) {
      log.error({ err: error, ...what }, 'the helpdesk post went out but could not be recorded');
    }
  };

  const showOnHelpdesk = (incident: Incident) => {
    for (const [platform, channel] of Object.entries(helpdesk)) {
      if (channel === undefined || !outlets.has(platform)) continue;
      const key = `${platform}\u0000${incident.id}`;
      const lane = lanes.get(key);
      if (lane) {
        lane.next = incident;
        continue;
      }
      const fresh: { next: Incident | null } = { next: incident };
      lanes.set(key, fresh);
      track(
        (async () => {
          for (let shown = fresh.next; shown; shown = fresh.next) {
            fresh.next = null;
            await deliver(platform, channel, shown);
            // The platform's edit budget per message (Slack: about one a second).
            const wait = outlets.get(platform)?.minUpdateIntervalMs ?? 0;
            if (fresh.next && wait > 0)
              await delay(wait, undefined, { signal: stopping.signal }).catch(() => {});
          }
        })().finally(() => lanes.delete(key)),
      );
    }
  };

  const tellReporters = async (incident: Incident) => {
    const text = `${incident.id} is resolved: ${incident.target} no longer shows ${incident.cause}. Try connecting again.`;
    let reporters: Reporter[];
    try {
      reporters = await reportersOf(incident.id);
    } catch (error) {
      log.error({ err: error, incident: incident.id }, 'the reporters could not be read; none was told');
      return;
    }
    for (const reporter of reporters) {
      if (reporter.platform === 'monitor') continue;
      const outlet = outlets.get(reporter.platform);
      if (!outlet) {
        log.warn({ incident: incident.id, platform: reporter.platform }, 'a reporter could not be told');
        continue;
      }
      const where: ShowWhere = {
        channel: reporter.channel,
        ...(reporter.thread && { thread: reporter.thread }),
        ...(reporter.messageRef && { near: reporter.messageRef }),
      };
      track(
        withRetries({ incident: incident.id, platform: reporter.platform }, async () => {
          await outlet.show(where, { kind: 'text', text });
        }),
      );
    }
  };

  return {
    register(platform, show, { minUpdateIntervalMs = 0 } = {}) {
      outlets.set(platform, { show, minUpdateIntervalMs });
    },
    onChange({ incident, event }) {
      showOnHelpdesk(incident);
      if (event === 'resolved') track(tellReporters(incident));
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    stop() {
      stopping.abort();
    },
  };
}

/** The notifier of an assembled bot (serve, `monitor --once`): its posts, its reporters, the configured helpdesk channels. */
export function createBotNotifier(
  bot: { incidentPosts: IncidentPosts; incidents: Pick<IncidentTracker, 'reportersOf'> },
  config: Pick<Config, 'incidents'>,
  logger: Logger,
): IncidentNotifier {
  return createIncidentNotifier({
    posts: bot.incidentPosts,
    helpdesk: config.incidents.helpdesk,
    reportersOf: (id) => bot.incidents.reportersOf(id),
    logger,
  });
}

/** The incident's first helpdesk post is being made by another replica (IncidentPosts.claim). */
class PostPendingError extends Error {
  override name = 'PostPendingError';
  constructor() {
    super('another replica is making this incident’s first helpdesk post');
  }
}
