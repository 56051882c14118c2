import type { Redis } from 'ioredis';
import type { IncidentsConfig } from '../../config/incidents-schema.js';
import { CERT_EXPIRING, failingCauses } from '../../incidents/failing-causes.js';
import type { IncidentPosts, SharedIncidents } from '../../incidents/incident-posts.js';
import {
  type IncidentNotice,
  type IncidentTracker,
  NEXT_STATE,
  RECHECK_ACTOR,
  type Reporter,
} from '../../incidents/incident-tracker.js';
import {
  type Incident,
  type IncidentEvent,
  type IncidentState,
  incidentNumber,
} from '../../report/incident.js';
import { KEY_PREFIX } from './connect-redis.js';
import { ACT, OBSERVE, RECHECK, STREAK } from './incident-scripts.js';

/** A monitor's failures in a row before it opens an incident, as in the SQLite store. */
const MONITOR_FAILURES_TO_OPEN = 2;
/** Re-probes in a row without the failing finding before an incident resolves, as in SQLite. */
const GREEN_PROBES_TO_RESOLVE = 2;
/** How long a replica's claim to make an incident's first helpdesk post holds (retries included). */
const CLAIM_MS = 60_000;

type Stored = Reporter & { at_ms: number };
const reporterKey = ({ platform, user }: Pick<Reporter, 'platform' | 'user'>) => `${platform}\u0000${user}`;

/**
 * The incident store of several replicas (REDIS_URL set): the same contract as the SQLite tracker
 * (src/incidents/incident-tracker.ts) — thresholds, a user's repeats counted once, a monitor's
 * two failures in a row, two green re-probes, the agents' actions, all audited — with every change
 * one Lua script (src/ops/redis/incident-scripts.ts), so replicas never split one outage in two.
 */
export function createRedisIncidentTracker(
  redis: Redis,
  config: IncidentsConfig,
  { now = Date.now, prefix = `${KEY_PREFIX}incidents:` }: { now?: () => number; prefix?: string } = {},
): IncidentTracker {
  const windowMs = config.windowMinutes * 60_000;
  const key = (kind: string, n: number | string) => `${prefix}${kind}:${n}`;

  const read = async (numbers: (number | string)[]): Promise<Incident[]> => {
    if (numbers.length === 0) return [];
    const batch = redis.multi();
    for (const n of numbers) batch.hgetall(key('i', n)).lrange(key('r', n), 0, -1).lrange(key('e', n), 0, -1);
    const replies = (await batch.exec()) ?? [];
    return numbers.flatMap((n, index): Incident[] => {
      const [row, reporters, events] = [0, 1, 2].map((k) => replies[index * 3 + k]?.[1]) as [
        Record<string, string>,
        string[],
        string[],
      ];
      if (!row?.state) return [];
      const state = row.state as IncidentState;
      const acknowledged =
        state === 'mitigated'
          ? events
              .map((raw) => JSON.parse(raw) as StoredEvent)
              .findLast((stored) => stored.event === 'acknowledged')
          : undefined;
      return [
        {
          id: `INC-${n}`,
          target: row.target ?? '',
          cause: row.cause ?? '',
          state,
          firstSeen: new Date(Number(row.first_seen_ms)).toISOString(),
          lastSeen: new Date(Number(row.last_seen_ms)).toISOString(),
          summary: row.summary ?? '',
          probed: row.probed ?? '',
          probe: row.probe ?? '',
          reports: reporters.length,
          reporters: reporters.map((stored) => stored.replace('\u0000', ':')),
          ...(row.cause === CERT_EXPIRING && { severity: 'warning' as const }),
          ...(acknowledged && { acknowledgedBy: `${acknowledged.by_platform}:${acknowledged.by_user}` }),
          ...(state === 'resolved' &&
            row.resolved_ms !== undefined && { resolvedAt: new Date(Number(row.resolved_ms)).toISOString() }),
        },
      ];
    });
  };
  const readOne = async (n: number | string) => (await read([n]))[0] ?? null;

  /** One failing cause through OBSERVE; the notice, or null while the report waits for the threshold. */
  const observeCause = async (
    cause: ReturnType<typeof failingCauses>[number],
    reporter: Reporter,
    mode: 'user' | 'monitor',
    at: number,
  ): Promise<IncidentNotice | null> => {
    const stored: Stored = { ...reporter, at_ms: at };
    const result = (await redis.eval(
      OBSERVE,
      0,
      prefix,
      `${cause.target}\u0000${cause.cause}`,
      cause.target,
      cause.cause,
      reporterKey(reporter),
      JSON.stringify(stored),
      at,
      windowMs,
      config.openAfterReports,
      cause.summary,
      cause.probed,
      cause.probe,
      mode,
      reporter.platform,
      reporter.user,
    )) as [string, number, number] | [];
    if (result.length === 0) return null;
    const [n, opened, repeat] = result;
    const incident = await readOne(n);
    if (!incident) return null;
    const position = incident.reporters.indexOf(`${reporter.platform}:${reporter.user}`) + 1;
    return { incident, position, opened: opened === 1, repeat: repeat === 1 };
  };
  const notices = async (work: Promise<IncidentNotice | null>[]) =>
    (await Promise.all(work)).filter((notice): notice is IncidentNotice => notice !== null);

  return {
    async observe(report, reporter) {
      if (!config.enabled) return [];
      const at = now();
      return notices(failingCauses(report).map((cause) => observeCause(cause, reporter, 'user', at)));
    },
    async observeMonitor(report, monitor) {
      if (!config.enabled) return [];
      const at = now();
      const failing = failingCauses(report, { certificateWarningDays: config.certificateWarningDays });
      const keys = failing.map(({ target, cause }) => `${target}\u0000${cause}`);
      const streaks = (await redis.eval(STREAK, 0, prefix, monitor, ...keys)) as number[];
      const reporter: Reporter = { platform: 'monitor', user: monitor, channel: 'monitor' };
      return notices(
        failing.flatMap((cause, index) =>
          // A certificate's expiry date is no flaky observation: it warns on the first probe.
          (streaks[index] ?? 0) >= MONITOR_FAILURES_TO_OPEN || cause.cause === CERT_EXPIRING
            ? [observeCause(cause, reporter, 'monitor', at)]
            : [],
        ),
      );
    },
    async recheck(id, report) {
      const n = incidentNumber(id);
      const before = Number.isNaN(n) ? null : await readOne(n);
      if (!before || before.state === 'resolved') return null;
      const failing = failingCauses(report, { certificateWarningDays: config.certificateWarningDays }).some(
        ({ target, cause }) => target === before.target && cause === before.cause,
      );
      const outcome = (await redis.eval(
        RECHECK,
        0,
        prefix,
        n,
        failing ? '1' : '0',
        now(),
        GREEN_PROBES_TO_RESOLVE,
        RECHECK_ACTOR.platform,
        RECHECK_ACTOR.user,
      )) as 'failing' | 'green' | 'resolved' | null;
      if (outcome === null) return null;
      return { incident: outcome === 'resolved' ? ((await readOne(n)) ?? before) : before, outcome };
    },
    async reportersOf(id) {
      const n = incidentNumber(id);
      if (Number.isNaN(n)) return [];
      const keys = await redis.lrange(key('r', n), 0, -1);
      if (keys.length === 0) return [];
      const rows = await redis.hmget(key('rj', n), ...keys);
      return rows.flatMap((raw) => {
        if (raw === null) return [];
        const { at_ms: _at, ...reporter } = JSON.parse(raw) as Stored;
        return [reporter];
      });
    },
    async list({ all = false } = {}) {
      return read(await redis.zrevrange(`${prefix}${all ? 'ids' : 'live'}`, 0, -1));
    },
    get: async (id) => {
      const n = incidentNumber(id);
      return Number.isNaN(n) ? null : readOne(n);
    },
    async act(id, action, by) {
      const n = incidentNumber(id);
      if (Number.isNaN(n)) return null;
      const next = NEXT_STATE[action];
      const result = (await redis.eval(
        ACT,
        0,
        prefix,
        n,
        next.from.join(','),
        next.to,
        next.event,
        now(),
        by.platform,
        by.user,
      )) as 'changed' | 'unchanged' | null;
      if (result === null) return null;
      const incident = await readOne(n);
      return incident ? { incident, changed: result === 'changed' } : null;
    },
    async history(id) {
      const n = incidentNumber(id);
      if (Number.isNaN(n)) return [];
      return (await redis.lrange(key('e', n), 0, -1)).map((raw) => {
        const stored = JSON.parse(raw) as StoredEvent;
        return {
          at: new Date(stored.at_ms).toISOString(),
          event: stored.event,
          by: `${stored.by_platform}:${stored.by_user}`,
        };
      });
    },
  };
}

interface StoredEvent {
  at_ms: number;
  event: IncidentEvent['event'];
  by_platform: string;
  by_user: string;
}

/** Where each incident's helpdesk post is, shared by replicas: one post per incident and platform. */
export function createRedisIncidentPosts(
  redis: Redis,
  { prefix = `${KEY_PREFIX}incidents:` }: { prefix?: string } = {},
): IncidentPosts {
  const key = (incidentId: string) => `${prefix}p:${incidentNumber(incidentId)}`;
  return {
    async get(incidentId, platform) {
      const raw = await redis.hget(key(incidentId), platform);
      return raw === null ? null : (JSON.parse(raw) as { channel: string; messageRef: string });
    },
    async put(incidentId, platform, post) {
      await redis.hset(key(incidentId), platform, JSON.stringify(post));
    },
    // Expires: a replica that died between its claim and its post must not block the post forever.
    async claim(incidentId, platform) {
      const claimed = await redis.set(`${key(incidentId)}:claim:${platform}`, '1', 'PX', CLAIM_MS, 'NX');
      return claimed === 'OK';
    },
  };
}

/** The incidents of replicas, both halves, on one Redis connection. */
export function createRedisIncidents(redis: Redis, config: IncidentsConfig): SharedIncidents {
  return { tracker: createRedisIncidentTracker(redis, config), posts: createRedisIncidentPosts(redis) };
}
