-- Messages with from <= seq <= to that the log holds, for filling a gap.
-- KEYS: 1 epoch, 2 log   ARGV: 1 from, 2 to
-- Returns {epoch or '', entries}.
return {redis.call('GET', KEYS[1]) or '', redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', ARGV[2] .. '-0')}
