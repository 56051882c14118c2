import { incidentNumber } from '../report/incident.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import type { IncidentTracker } from './incident-tracker.js';

/** Where an incident's helpdesk post is on one platform, so it is edited, never posted twice. */
export interface IncidentPosts {
  get(incidentId: string, platform: string): Promise<{ channel: string; messageRef: string } | null>;
  put(incidentId: string, platform: string, post: { channel: string; messageRef: string }): Promise<void>;
  /**
   * Whether this process may make the incident's first post on that platform: true once per
   * incident and platform while the post is being made. With replicas (Redis) two of them may see
   * the same incident change at once; the one not claiming waits for the post to be recorded
   * and edits it, so the helpdesk channel never gets a second post.
   */
  claim(incidentId: string, platform: string): Promise<boolean>;
}

/** An incident store replicas share (Redis, src/ops/redis/redis-incident-tracker.ts): both halves. */
export interface SharedIncidents {
  tracker: IncidentTracker;
  posts: IncidentPosts;
}

export function createIncidentPosts(db: SqliteDatabase): IncidentPosts {
  const get = db.prepare<[number, string], { channel: string; message_ref: string }>(
    'SELECT channel, message_ref FROM incident_posts WHERE incident_id = ? AND platform = ?',
  );
  const put = db.prepare(
    `INSERT INTO incident_posts (incident_id, platform, channel, message_ref) VALUES (?, ?, ?, ?)
     ON CONFLICT (incident_id, platform) DO UPDATE SET channel = excluded.channel, message_ref = excluded.message_ref`,
  );
  return {
    async get(incidentId, platform) {
      const row = get.get(incidentNumber(incidentId), platform);
      return row ? { channel: row.channel, messageRef: row.message_ref } : null;
    },
    async put(incidentId, platform, { channel, messageRef }) {
      put.run(incidentNumber(incidentId), platform, channel, messageRef);
    },
    // One process per store file: its notifier's lane per incident already makes one post at a time.
    claim: async () => true,
  };
}
