/**
 * A bounded map whose entries expire, each after its own TTL. The least recently
 * used entry is dropped first once `maxEntries` is reached (Map order is
 * insertion order; a hit re-inserts). No timers: expiry is checked on access.
 */
export interface ExpiringCache<V> {
  get(key: string): V | undefined
  /** A TTL <= 0 stores nothing. */
  set(key: string, value: V, ttlMs: number): void
  readonly size: number
}

export function createExpiringCache<V>(options: { maxEntries: number; now: () => number }): ExpiringCache<V> {
  const { maxEntries, now } = options
  if (!(maxEntries >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${maxEntries}`)
  const entries = new Map<string, { value: V; expiresAt: number }>()

  return {
    get(key) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      entries.delete(key)
      if (now() >= entry.expiresAt) return undefined
      entries.set(key, entry)
      return entry.value
    },
    set(key, value, ttlMs) {
      entries.delete(key)
      if (!(ttlMs > 0)) return
      entries.set(key, { value, expiresAt: now() + ttlMs })
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break
        entries.delete(oldest)
      }
    },
    get size() {
      return entries.size
    },
  }
}
