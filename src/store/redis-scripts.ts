/**
 * The Lua scripts behind RedisStore. Each read-modify-write runs as one script so that it is
 * atomic on the server: no other client can act between the check and the write. Every key a
 * script touches is passed in KEYS and shares the user's hash tag (one Cluster slot).
 *
 * Every script that writes takes a deadline first (ARGV[1], milliseconds since the epoch) and
 * writes nothing once the Redis clock has passed it. A command can sit in the socket buffer of a
 * frozen or overloaded Redis after the client gave up on it and answered 503; without the
 * deadline Redis would run it later, and a request that was told "failed" would still have
 * written. The deadline is removed from ARGV, so the scripts read their own arguments from 1.
 *
 * Session keys: KEYS sessions = zset jti -> expires_at (ms), data = hash jti -> JSON.
 */

/** The error a write script answers when it ran after its deadline. */
export const LATE_WRITE = 'LATE gatehouse write refused: its deadline had passed';

const helpers = `
local function within_deadline()
  local deadline = tonumber(table.remove(ARGV, 1))
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) <= deadline
end

local function prune(sessions, data, now)
  for _, jti in ipairs(redis.call('ZRANGEBYSCORE', sessions, '-inf', now)) do
    redis.call('ZREM', sessions, jti)
    redis.call('HDEL', data, jti)
  end
end

local function end_sessions(sessions, data, keep)
  local ended = 0
  for _, jti in ipairs(redis.call('ZRANGE', sessions, 0, -1)) do
    if jti ~= keep then
      redis.call('ZREM', sessions, jti)
      redis.call('HDEL', data, jti)
      ended = ended + 1
    end
  end
  return ended
end

-- A bearer check reads only a session's record; revocation walks the index. Before revoking,
-- every record the index lacks (its key evicted or deleted on its own) is put back in it, by the
-- expiry the record holds, so that no token outlives a revocation that reported it ended.
-- Keys are lost whole, so as long as both hold as many sessions nothing is missing; that check
-- is two O(1) calls. Returns how many records went back (the caller then refreshes the TTLs).
local function reindex(sessions, data)
  if redis.call('ZCARD', sessions) == redis.call('HLEN', data) then return 0 end
  local added = 0
  local flat = redis.call('HGETALL', data)
  for i = 1, #flat, 2 do
    if not redis.call('ZSCORE', sessions, flat[i]) then
      redis.call('ZADD', sessions, cjson.decode(flat[i + 1]).expires_at, flat[i])
      added = added + 1
    end
  end
  return added
end

-- Both session keys live exactly as long as the user's last session.
local function refresh_ttl(sessions, data)
  local last = redis.call('ZRANGE', sessions, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', sessions, data)
  else
    redis.call('PEXPIREAT', sessions, last[2])
    redis.call('PEXPIREAT', data, last[2])
  end
end
`;

const script = (numberOfKeys: number, body: string) => ({ numberOfKeys, lua: helpers + body });
const writeScript = (numberOfKeys: number, body: string) =>
  script(numberOfKeys, `\nif not within_deadline() then return redis.error_reply('${LATE_WRITE}') end${body}`);

export const scripts = {
  // KEYS user, sessions, data; ARGV deadline, field, value, ...
  // Session keys left without their user (its key lost) are no one's: a new user of the name
  // does not take them over.
  ghCreateUser: writeScript(
    3,
    `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`,
  ),

  // KEYS user; ARGV deadline, expected hash, replacement hash
  ghRehash: writeScript(
    1,
    `
if redis.call('HGET', KEYS[1], 'hash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'hash', ARGV[2])
return 1`,
  ),

  // KEYS user, sessions, data; ARGV deadline, generation, new hash, jti to keep ('' for none)
  ghChangePassword: writeScript(
    3,
    `
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'hash', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'generation', 1)
reindex(KEYS[2], KEYS[3])
end_sessions(KEYS[2], KEYS[3], ARGV[3])
refresh_ttl(KEYS[2], KEYS[3])
return 1`,
  ),

  // KEYS user, sessions, data; ARGV deadline
  ghDeleteUser: writeScript(
    3,
    `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return existed`,
  ),

  // KEYS user, sessions, data; ARGV deadline, generation, jti, expires_at, JSON, max sessions, now
  ghCreateSession: writeScript(
    3,
    `
local user = redis.call('HMGET', KEYS[1], 'generation', 'first_name', 'last_name')
if user[1] ~= ARGV[1] then return 0 end
-- Every live session counts against the limit, indexed or not.
reindex(KEYS[2], KEYS[3])
prune(KEYS[2], KEYS[3], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
-- The session record carries the user's names (fixed at registration), so that the bearer
-- check is a single HGET of it.
local record = cjson.decode(ARGV[4])
record.first_name = user[2] or cjson.null
record.last_name = user[3] or cjson.null
redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(record))
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if over > 0 then
  -- The sessions closest to expiry, never the one just created (its expiry can tie with older
  -- ones in the same second, and ZRANGE breaks ties by member, i.e. at random).
  local candidates = redis.call('ZRANGE', KEYS[2], 0, over)
  local oldest = {}
  for _, jti in ipairs(candidates) do
    if jti ~= ARGV[2] and #oldest < over then oldest[#oldest + 1] = jti end
  end
  for _, jti in ipairs(oldest) do
    redis.call('ZREM', KEYS[2], jti)
    redis.call('HDEL', KEYS[3], jti)
  end
end
refresh_ttl(KEYS[2], KEYS[3])
return 1`,
  ),

  // KEYS sessions, data; ARGV now -> jti, JSON, jti, JSON, ... ('' where data is missing)
  ghListSessions: script(
    2,
    `
local out = {}
if redis.call('ZCARD', KEYS[1]) ~= redis.call('HLEN', KEYS[2]) then
  -- The index lost sessions (see reindex; this script only reads): listed by their records,
  -- which bearer checks read (RedisStore.listSessions puts them in order).
  local flat = redis.call('HGETALL', KEYS[2])
  for i = 1, #flat, 2 do
    if tonumber(cjson.decode(flat[i + 1]).expires_at) > tonumber(ARGV[1]) then
      out[#out + 1] = flat[i]
      out[#out + 1] = flat[i + 1]
    end
  end
  return out
end
for _, jti in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  out[#out + 1] = jti
  out[#out + 1] = redis.call('HGET', KEYS[2], jti) or ''
end
return out`,
  ),

  // KEYS sessions, data; ARGV deadline, jti, now -> 1 when it was live
  ghRevokeSession: writeScript(
    2,
    `
local reindexed = reindex(KEYS[1], KEYS[2])
local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not exp then
  if reindexed > 0 then refresh_ttl(KEYS[1], KEYS[2]) end
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
refresh_ttl(KEYS[1], KEYS[2])
if tonumber(exp) > tonumber(ARGV[2]) then return 1 end
return 0`,
  ),

  // KEYS sessions, data; ARGV deadline, jti to keep ('' for none), now -> how many live sessions ended
  ghRevokeSessions: writeScript(
    2,
    `
reindex(KEYS[1], KEYS[2])
prune(KEYS[1], KEYS[2], ARGV[2])
local ended = end_sessions(KEYS[1], KEYS[2], ARGV[1])
refresh_ttl(KEYS[1], KEYS[2])
return ended`,
  ),
} as const;

export type ScriptName = keyof typeof scripts;
