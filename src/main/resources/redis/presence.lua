-- Presence across nodes. Each (node, name) holding a room is an entry of a sorted set scored by
-- its expiry, refreshed by its node; a hash counts the nodes per name, so a name is announced
-- when its first node arrives and when its last one departs or expires (a node that died).
-- KEYS: 1 entries (zset: node\nname -> expiry ms), 2 names (hash: name -> nodes),
--       3..6 the room's log keys (epoch, seq, log, ids), whose TTL a present member refreshes
-- ARGV: 1 'arrive' (also refreshes), 'depart' or 'expire', 2 now ms, 3 expiry ms,
--       4 channel, 5 '1' for sharded pub/sub, 6 key TTL in ms, 7.. entries (node\nname)
-- Returns the number of distinct names present.
local function announce(joined, name)
  local payload = 'p ' .. joined .. ' ' .. redis.call('HLEN', KEYS[2]) .. '\n' .. name
  if ARGV[5] == '1' then
    redis.call('SPUBLISH', ARGV[4], payload)
  else
    redis.call('PUBLISH', ARGV[4], payload)
  end
end
local function nameOf(entry)
  return string.sub(entry, string.find(entry, '\n', 1, true) + 1)
end
local function remove(entry)
  if redis.call('ZREM', KEYS[1], entry) == 1 then
    local name = nameOf(entry)
    if redis.call('HINCRBY', KEYS[2], name, -1) <= 0 then
      redis.call('HDEL', KEYS[2], name)
      announce(0, name)
    end
  end
end
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, 100)) do
  remove(entry)
end
for i = 7, #ARGV do
  if ARGV[1] == 'arrive' then
    if redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i]) == 1 then
      local name = nameOf(ARGV[i])
      if redis.call('HINCRBY', KEYS[2], name, 1) == 1 then
        announce(1, name)
      end
    end
  elseif ARGV[1] == 'depart' then
    remove(ARGV[i])
  end
end
for i = 1, 6 do
  redis.call('PEXPIRE', KEYS[i], ARGV[6])
end
return redis.call('HLEN', KEYS[2])
