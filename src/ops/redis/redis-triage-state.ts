import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './connect-redis.js';

/**
 * Where a running triage's message lives, enough for another replica to edit it: the platform,
 * the conversation and the bot's own message (Slack `channel` + `ts`, Teams conversation +
 * activity id). Only ids: no message text, so nothing secret sits in Redis.
 */
export interface TriageRecord {
  triageId: string;
  platform: string;
  channel: string;
  thread?: string;
  /** The bot's message being edited (platform id), once posted. */
  messageRef?: string;
  startedAt: string;
}

/** In-progress triages of every replica, each held by the replica that runs it. */
export interface TriageStateStore {
  begin(record: TriageRecord): Promise<void>;
  /** Records the bot's message once posted, so a survivor can edit it. */
  attach(triageId: string, messageRef: string): Promise<void>;
  end(triageId: string): Promise<void>;
  /** Keeps this replica's lease alive; call more often than `leaseMs`. */
  heartbeat(): Promise<void>;
  /**
   * Triages whose replica stopped heartbeating (killed, OOM, host lost): each is handed to exactly
   * one caller, which tells the user to run it again.
   */
  claimOrphans(): Promise<TriageRecord[]>;
}

// Claim all records whose owner lease is gone; HDEL decides the winner between two claimants.
const CLAIM = `
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, record = pcall(cjson.decode, all[i + 1])
  if ok and redis.call('EXISTS', ARGV[1] .. record.owner) == 0 then
    if redis.call('HDEL', KEYS[1], all[i]) == 1 then table.insert(out, all[i + 1]) end
  end
end
return out
`;

export function createRedisTriageState(
  redis: Redis,
  {
    replicaId,
    leaseMs = 15_000,
    prefix = `${KEY_PREFIX}triage:`,
  }: { replicaId: string; leaseMs?: number; prefix?: string },
): TriageStateStore {
  const recordsKey = `${prefix}running`;
  const leasePrefix = `${prefix}lease:`;
  const write = (record: TriageRecord) =>
    redis.hset(recordsKey, record.triageId, JSON.stringify({ ...record, owner: replicaId }));
  return {
    async begin(record) {
      await redis.set(`${leasePrefix}${replicaId}`, '1', 'PX', leaseMs);
      await write(record);
    },
    async attach(triageId, messageRef) {
      const raw = await redis.hget(recordsKey, triageId);
      if (raw === null) return;
      await write({ ...(JSON.parse(raw) as TriageRecord), messageRef });
    },
    async end(triageId) {
      await redis.hdel(recordsKey, triageId);
    },
    async heartbeat() {
      await redis.set(`${leasePrefix}${replicaId}`, '1', 'PX', leaseMs);
    },
    async claimOrphans() {
      const claimed = (await redis.eval(CLAIM, 1, recordsKey, leasePrefix)) as string[];
      return claimed.map((raw) => {
        const { owner: _owner, ...record } = JSON.parse(raw) as TriageRecord & { owner: string };
        return record;
      });
    },
  };
}
