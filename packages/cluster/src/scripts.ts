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
 * KEYS outbox, bytes, lease; ARGV maxStanzas, maxBytes, nodeId, then four per stanza: size, key,
 * expires, xml. Appends a batch of one pair's stanzas in order, each within the outbox bounds
 * (checked as it goes, so the bounds hold for the batch as for single appends). Returns
 * {lease value or '', {id or 'full:stanzas' or 'full:bytes', ...}}.
 */
export const APPEND = `
local maxStanzas = tonumber(ARGV[1])
local maxBytes = tonumber(ARGV[2])
local length = redis.call('XLEN', KEYS[1])
local bytes = tonumber(redis.call('GET', KEYS[2]) or '0')
local added = 0
local results = {}
for i = 4, #ARGV, 4 do
  local size = tonumber(ARGV[i])
  if length >= maxStanzas then
    results[#results + 1] = 'full:stanzas'
  elseif bytes + added + size > maxBytes then
    results[#results + 1] = 'full:bytes'
  else
    results[#results + 1] = redis.call('XADD', KEYS[1], '*', 'origin', ARGV[3], 'key', ARGV[i + 1], 'expires', ARGV[i + 2], 'size', ARGV[i], 'xml', ARGV[i + 3])
    length = length + 1
    added = added + size
  end
end
if added > 0 then redis.call('INCRBY', KEYS[2], added) end
return {redis.call('GET', KEYS[3]) or '', results}
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

/**
 * KEYS config; ARGV fingerprint, masked settings (JSON), configuration (JSON), nodeId.
 * Records a configuration a node applied for every node to apply: returns its version (1, 2...).
 */
export const PUBLISH_CONFIG = `
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'settings', ARGV[2], 'document', ARGV[3], 'from', ARGV[4])
return version
`

/**
 * KEYS config; ARGV version. Raises the recorded configuration version to at least ARGV[1]
 * (never lowers it): after Redis restarted empty, the nodes' heartbeats put back the version
 * they run, so that the next reload gets a higher one than any node has seen.
 */
export const CONFIG_VERSION_FLOOR = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'version', ARGV[1]) end
return current
`
