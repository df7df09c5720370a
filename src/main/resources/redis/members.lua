-- A page of a room's names: one HSCAN step over the names hash (name -> nodes holding it).
-- KEYS: 1 names
-- ARGV: 1 cursor ('0' to start), 2 names wanted (HSCAN's COUNT hint)
-- Returns {next cursor ('0' at the end), names, names in all}.
local r = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local names = {}
for i = 1, #r[2], 2 do
  names[#names + 1] = r[2][i]
end
return {r[1], names, redis.call('HLEN', KEYS[1])}
