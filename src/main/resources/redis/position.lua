-- A room's epoch and head, for the periodic check that no message was missed.
-- KEYS: 1 epoch, 2 seq   Returns {epoch or '', head}.
return {redis.call('GET', KEYS[1]) or '', tonumber(redis.call('GET', KEYS[2]) or '0')}
