/**
 * The Redis incident store's atomic steps (src/ops/redis/redis-incident-tracker.ts). Each runs as
 * one Lua script, so Redis executes it without interleaving: two replicas attaching reports of one
 * outage at the same moment make one incident, never two (the same guarantee SQLite's
 * `BEGIN IMMEDIATE` transaction gives the embedded store). Keys are built inside the scripts from
 * ARGV[1], the key prefix: fine for one Redis (or a primary with replicas), not for Redis Cluster.
 *
 * Keys under the prefix:
 *   seq              INCR: the next incident number (INC-n)
 *   i:<n>            hash: target cause state first_seen_ms last_seen_ms summary probed probe
 *                    green_probes [resolved_ms]
 *   r:<n>            list: reporter keys (platform \0 user) in report order
 *   rj:<n>           hash: reporter key → where they reported (JSON, with at_ms)
 *   e:<n>            list: state changes (JSON {at_ms, event, by_platform, by_user})
 *   ids / live       sorted sets of incident numbers: all, and those not resolved
 *   o:<target\0cause> sorted set: the not-resolved incidents of a target and cause (newest joins)
 *   c:<target\0cause> hash: reporter key → report waiting for the threshold (JSON, with at_ms)
 *   s:<monitor>      hash: target \0 cause → failures in a row
 *   p:<n>            hash: platform → the helpdesk post (JSON {channel, messageRef})
 */

// Shared by the scripts that open or change incidents.
const LIB = `
local p = ARGV[1]
local function event(n, at, name, by_platform, by_user)
  redis.call('RPUSH', p .. 'e:' .. n, cjson.encode({at_ms = at, event = name, by_platform = by_platform, by_user = by_user}))
end
local function attach(n, key, json)
  if redis.call('HSETNX', p .. 'rj:' .. n, key, json) == 1 then
    redis.call('RPUSH', p .. 'r:' .. n, key)
    return 1
  end
  return 0
end
local function cause_key(n)
  local row = redis.call('HMGET', p .. 'i:' .. n, 'target', 'cause')
  return row[1] .. '\\0' .. row[2]
end
`;

/**
 * One failing cause of one report. ARGV: prefix, target\0cause, target, cause, reporter key,
 * reporter JSON (with at_ms), at, window ms, reports to open, summary, probed, probe, mode
 * (`user`: wait for the threshold; `monitor`: open now, the streak was checked), actor platform,
 * actor user. Returns {n, opened (0/1), repeat (0/1)}, or {} while the report waits.
 */
export const OBSERVE = `${LIB}
local ck, target, cause, key, json = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local at, window, threshold = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local open = redis.call('ZREVRANGE', p .. 'o:' .. ck, 0, 0)[1]
if open then
  local added = attach(open, key, json)
  redis.call('HSET', p .. 'i:' .. open, 'last_seen_ms', at)
  return {open, 0, 1 - added}
end
local waiting = {}
local candidates = p .. 'c:' .. ck
if ARGV[13] == 'monitor' then
  waiting = {{key = key, json = json, at = at}}
else
  local all = redis.call('HGETALL', candidates)
  for i = 1, #all, 2 do
    if cjson.decode(all[i + 1]).at_ms < at - window then redis.call('HDEL', candidates, all[i]) end
  end
  redis.call('HSET', candidates, key, json)
  all = redis.call('HGETALL', candidates)
  if #all / 2 < threshold then return {} end
  for i = 1, #all, 2 do
    table.insert(waiting, {key = all[i], json = all[i + 1], at = cjson.decode(all[i + 1]).at_ms})
  end
  table.sort(waiting, function(a, b)
    if a.at == b.at then return a.key < b.key end
    return a.at < b.at
  end)
  redis.call('DEL', candidates)
end
local n = redis.call('INCR', p .. 'seq')
redis.call('HSET', p .. 'i:' .. n, 'target', target, 'cause', cause, 'state', 'open',
  'first_seen_ms', waiting[1].at, 'last_seen_ms', at, 'summary', ARGV[10], 'probed', ARGV[11],
  'probe', ARGV[12], 'green_probes', 0)
for _, w in ipairs(waiting) do attach(n, w.key, w.json) end
redis.call('ZADD', p .. 'ids', n, n)
redis.call('ZADD', p .. 'live', n, n)
redis.call('ZADD', p .. 'o:' .. ck, n, n)
event(n, at, 'opened', ARGV[14], ARGV[15])
return {tostring(n), 1, 0}
`;

/**
 * A monitor's failures in a row. ARGV: prefix, monitor, then the target\0cause keys failing now.
 * Causes no longer failing start over; returns each failing cause's streak, in ARGV order.
 */
export const STREAK = `
local streaks = ARGV[1] .. 's:' .. ARGV[2]
local still = {}
for i = 3, #ARGV do still[ARGV[i]] = true end
for _, field in ipairs(redis.call('HKEYS', streaks)) do
  if not still[field] then redis.call('HDEL', streaks, field) end
end
local out = {}
for i = 3, #ARGV do table.insert(out, redis.call('HINCRBY', streaks, ARGV[i], 1)) end
return out
`;

/**
 * A re-probe of incident n. ARGV: prefix, n, failing (1/0), at, green probes to resolve, actor
 * platform, actor user. Returns `failing`, `green`, `resolved`, or false (no such open incident).
 */
export const RECHECK = `${LIB}
local n, at = ARGV[2], tonumber(ARGV[4])
local row = p .. 'i:' .. n
local state = redis.call('HGET', row, 'state')
if not state or state == 'resolved' then return false end
if ARGV[3] == '1' then
  redis.call('HSET', row, 'green_probes', 0)
  return 'failing'
end
local green = redis.call('HINCRBY', row, 'green_probes', 1)
if green < tonumber(ARGV[5]) then return 'green' end
redis.call('HSET', row, 'state', 'resolved', 'resolved_ms', at)
redis.call('ZREM', p .. 'live', n)
redis.call('ZREM', p .. 'o:' .. cause_key(n), n)
event(n, at, 'resolved', ARGV[6], ARGV[7])
return 'resolved'
`;

/**
 * A helpdesk agent's action on incident n. ARGV: prefix, n, the states it applies to
 * (comma-separated), the next state, the event, at, actor platform, actor user. Returns
 * `changed`, `unchanged` (already there), or false (no such incident).
 */
export const ACT = `${LIB}
local n, to, at = ARGV[2], ARGV[4], tonumber(ARGV[6])
local row = p .. 'i:' .. n
local state = redis.call('HGET', row, 'state')
if not state then return false end
if not string.find(',' .. ARGV[3] .. ',', ',' .. state .. ',', 1, true) then return 'unchanged' end
redis.call('HSET', row, 'state', to, 'green_probes', 0)
local ck = cause_key(n)
if to == 'resolved' then
  redis.call('HSET', row, 'resolved_ms', at)
  redis.call('ZREM', p .. 'live', n)
  redis.call('ZREM', p .. 'o:' .. ck, n)
else
  redis.call('HDEL', row, 'resolved_ms')
  redis.call('ZADD', p .. 'live', n, n)
  redis.call('ZADD', p .. 'o:' .. ck, n, n)
end
event(n, at, ARGV[5], ARGV[7], ARGV[8])
return 'changed'
`;
