-- Appends one message to a room's log and announces it to every node: the whole publish is this
-- one script, so the idempotency check, the seq, the log and the announcement cannot part.
-- KEYS: 1 epoch, 2 seq, 3 log (a stream, entry id = seq), 4 ids (hash: from\nid -> seq)
-- ARGV: 1 idempotency key ('' = none), 2 epoch to start if the room has none, 3 history size,
--       4 key TTL in ms, 5 the encoded message up to its seq, 6 the rest of it,
--       7 the room's channel, 8 '1' for sharded pub/sub (Redis Cluster)
-- Returns {seq, epoch, 1 if the id was accepted before (nothing sent) else 0}.
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[2]
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4]) -- a new epoch starts from nothing
  redis.call('SET', KEYS[1], epoch)
end
local key = ARGV[1]
if key ~= '' then
  local seen = redis.call('HGET', KEYS[4], key)
  if seen then
    return {tonumber(seen), epoch, 1}
  end
end
local seq = redis.call('INCR', KEYS[2])
local size = tonumber(ARGV[3])
local gone = seq - size
if gone > 0 then
  -- The entry this append pushes out of the log takes its id along.
  local old = redis.call('XRANGE', KEYS[3], gone .. '-0', gone .. '-0')
  if old[1] then
    local fields = old[1][2]
    for i = 1, #fields, 2 do
      if fields[i] == 'k' and redis.call('HGET', KEYS[4], fields[i + 1]) == tostring(gone) then
        redis.call('HDEL', KEYS[4], fields[i + 1])
      end
    end
  end
end
local frame = ARGV[5] .. seq .. ARGV[6]
if key ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', size, seq .. '-0', 'f', frame, 'k', key)
  redis.call('HSET', KEYS[4], key, seq)
else
  redis.call('XADD', KEYS[3], 'MAXLEN', size, seq .. '-0', 'f', frame)
end
for i = 1, 4 do
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
end
local payload = 'm ' .. seq .. ' ' .. epoch .. '\n' .. frame
if ARGV[8] == '1' then
  redis.call('SPUBLISH', ARGV[7], payload)
else
  redis.call('PUBLISH', ARGV[7], payload)
end
return {seq, epoch, 0}
