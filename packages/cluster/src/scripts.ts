// The Lua scripts that make lease ownership and outbox trimming atomic. Each touches the keys of
// one pair only (one hash tag). Numbers cross as strings: Lua 5.1 prints large doubles as 1.7e+12.

/**
 * KEYS lease, epoch, holder, outbox; ARGV nodeId, leaseMs.
 * Takes a free lease. The epoch is INCR'd but never below Redis' clock in ms, so that after a
 * Redis restart (counter lost) a new epoch still exceeds every epoch granted before it.
 * Returns {1, value, previousHolder, outboxLength} or {0, currentValue}.
 */
export const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
local epoch = redis.call('INCR', KEYS[2])
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if epoch < floor then
  epoch = floor
  redis.call('SET', KEYS[2], string.format('%.0f', epoch))
end
local value = ARGV[1] .. ':' .. string.format('%.0f', epoch)
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
local previous = redis.call('GET', KEYS[3]) or ''
redis.call('SET', KEYS[3], value)
return {1, value, previous, redis.call('XLEN', KEYS[4])}
`

/** KEYS lease; ARGV value, leaseMs. Compare-and-pexpire: 1 renewed, 0 the key is gone, -1 another holds it. */
export const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then return 0 end
return -1
`

/** KEYS lease, holder; ARGV value. Gives a lease up in good order (not a takeover for the next owner). */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`

/**
 * KEYS outbox, bytes, lease; ARGV maxStanzas, maxBytes, size, origin, key, expiresAt, xml.
 * Appends within the pair's bounds. Returns {'ok', id, leaseValue} or {'full', what}.
 */
export const APPEND = `
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return {'full', 'stanzas'} end
local bytes = tonumber(redis.call('GET', KEYS[2]) or '0')
if bytes + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return {'full', 'bytes'} end
local id = redis.call('XADD', KEYS[1], '*', 'origin', ARGV[4], 'key', ARGV[5], 'expires', ARGV[6], 'size', ARGV[3], 'xml', ARGV[7])
redis.call('INCRBY', KEYS[2], ARGV[3])
return {'ok', id, redis.call('GET', KEYS[3]) or ''}
`

/**
 * KEYS lease, outbox, bytes; ARGV value, id... Deletes entries, fenced: only the holder of the
 * lease value may. Returns the number deleted, or -1 when the lease is not (or no longer) ARGV[1].
 */
export const DELETE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local deleted = 0
for i = 2, #ARGV do
  local entry = redis.call('XRANGE', KEYS[2], ARGV[i], ARGV[i])
  if entry[1] then
    local fields = entry[1][2]
    for j = 1, #fields, 2 do
      if fields[j] == 'size' then redis.call('DECRBY', KEYS[3], fields[j + 1]) end
    end
    deleted = deleted + redis.call('XDEL', KEYS[2], ARGV[i])
  end
end
return deleted
`
