-- A page of history: up to `limit` messages below `before` (or the newest), newest first, and the
-- oldest seq the log holds.
-- KEYS: 1 epoch, 2 log   ARGV: 1 before ('' = newest), 2 limit
-- Returns {epoch or '', entries (newest first), oldest entry id or ''}.
local top = '+'
if ARGV[1] ~= '' then
  local before = tonumber(ARGV[1])
  if before <= 1 then
    return {redis.call('GET', KEYS[1]) or '', {}, ''}
  end
  top = (before - 1) .. '-0'
end
local entries = redis.call('XREVRANGE', KEYS[2], top, '-', 'COUNT', ARGV[2])
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
return {redis.call('GET', KEYS[1]) or '', entries, oldest[1] and oldest[1][1] or ''}
