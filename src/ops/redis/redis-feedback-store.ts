import type { Redis } from 'ioredis';
import type { FeedbackStats } from '../../report/ranked-fix.js';
import type { FeedbackStore, FeedbackVote } from '../../store/feedback-store.js';
import { KEY_PREFIX } from './connect-redis.js';

// One vote per user, triage and fix (a second click replaces the first), counted per code, in
// one atomic script so two replicas recording votes at once never double-count. Votes live in a
// hash (vote key → "helped|codes"), counts in another (code \0 fix \0 helped|notHelped → n).
const RECORD = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous then
  local sep = string.find(previous, '|', 1, true)
  local field = string.sub(previous, 1, sep - 1)
  for code in string.gmatch(string.sub(previous, sep + 1), '[^,]+') do
    redis.call('HINCRBY', KEYS[2], code .. '\\0' .. ARGV[2] .. '\\0' .. field, -1)
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. '|' .. ARGV[4])
for code in string.gmatch(ARGV[4], '[^,]+') do
  redis.call('HINCRBY', KEYS[2], code .. '\\0' .. ARGV[2] .. '\\0' .. ARGV[3], 1)
end
return 1
`;

/** Feedback votes shared by every replica (REDIS_URL set); same contract as the in-process store. */
export function createRedisFeedbackStore(
  redis: Redis,
  { prefix = `${KEY_PREFIX}feedback:` }: { prefix?: string } = {},
): FeedbackStore {
  const votesKey = `${prefix}votes`;
  const countsKey = `${prefix}counts`;
  return {
    async record(vote: FeedbackVote) {
      const voteKey = [vote.platform, vote.user, vote.triageId, vote.fixId].join('\u0000');
      // Codes are normalised (`0x904`, `CredSSP`) but come from chat: keep only safe characters.
      const codes = (vote.codes.length > 0 ? vote.codes : ['*']).map((code) =>
        code.replace(/[^\w.*:-]/g, ''),
      );
      await redis.eval(
        RECORD,
        2,
        votesKey,
        countsKey,
        voteKey,
        vote.fixId,
        vote.helped ? 'helped' : 'notHelped',
        codes.filter(Boolean).join(','),
      );
    },
    async stats() {
      const counts = await redis.hgetall(countsKey);
      const stats: FeedbackStats = {};
      for (const [field, value] of Object.entries(counts)) {
        const [code, fixId, kind] = field.split('\u0000');
        const n = Number(value);
        if (code === undefined || fixId === undefined || n <= 0) continue;
        const perCode = stats[code] ?? {};
        stats[code] = perCode;
        const perFix = perCode[fixId] ?? { helped: 0, notHelped: 0 };
        perCode[fixId] = perFix;
        if (kind === 'helped') perFix.helped = n;
        else if (kind === 'notHelped') perFix.notHelped = n;
      }
      return stats;
    },
  };
}
