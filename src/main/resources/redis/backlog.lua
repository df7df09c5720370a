-- What a joining member is handed: the room's epoch (started if the room has none), its head, its
-- members, and the messages after `since` (a resume) or the newest `last`.
-- KEYS: 1 epoch, 2 seq, 3 log, 4 ids, 5 names (hash: name -> nodes holding it)
-- ARGV: 1 epoch to start if the room has none, 2 the client's epoch ('' = none),
--       3 since ('' = none), 4 last, 5 key TTL in ms
--       6 names to list at most
-- Returns {epoch, head, 1 if recovered else 0, entries, names (at most ARGV[6]), names in all}.
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('SET', KEYS[1], epoch, 'PX', ARGV[5])
end
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local recovered = 0
local entries = {}
if ARGV[3] ~= '' and ARGV[2] == epoch then
  local since = tonumber(ARGV[3])
  if since == head then
    recovered = 1
  elseif since >= 0 and since < head then
    entries = redis.call('XRANGE', KEYS[3], (since + 1) .. '-0', '+')
    -- A resume only when the log still holds the first message missed.
    if entries[1] and entries[1][1] == (since + 1) .. '-0' then
      recovered = 1
    end
  end
end
if recovered == 0 then
  entries = {}
  if tonumber(ARGV[4]) > 0 then
    entries = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', ARGV[4])
  end
end
-- At most ARGV[6] names: a join costs the same in a big room (the rest are paged with HSCAN).
local count = redis.call('HLEN', KEYS[5])
local names
if count <= tonumber(ARGV[6]) then
  names = redis.call('HKEYS', KEYS[5])
else
  names = redis.call('HRANDFIELD', KEYS[5], ARGV[6])
end
return {epoch, head, recovered, entries, names, count}
