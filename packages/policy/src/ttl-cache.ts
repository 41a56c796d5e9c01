/**
 * A small cache whose entries expire `ttlMs` after they were stored. No timers: the
 * caller passes `now` (milliseconds, any monotonic-enough clock) on every call, and
 * expired entries are dropped when met. `undefined` is a value like any other, so a
 * negative answer ("the peer did not answer XEP-0092", "no email") is cached too.
 */
export interface TtlCache<K, V> {
  /** `{ value }` while fresh, undefined when missing or expired. */
  get(key: K, now: number): { readonly value: V } | undefined
  /** Stores `value`, fresh from `now`; the oldest entry goes when the cache is full. */
  set(key: K, value: V, now: number): void
  /** Removes the entry; true when there was one. */
  delete(key: K): boolean
  /** Drops every expired entry; returns how many. */
  prune(now: number): number
  /** Removes every entry. */
  clear(): void
  readonly size: number
}

/** How long entries stay fresh, and how many are kept. */
export interface TtlCacheOptions {
  ttlMs: number
  /** Bound on memory: beyond it the oldest stored entry goes first. Default 10 000. */
  maxEntries?: number
}

/** Creates an empty TtlCache; throws on a negative `ttlMs`. */
export function createTtlCache<K, V>(options: TtlCacheOptions): TtlCache<K, V> {
  const { ttlMs } = options
  const maxEntries = options.maxEntries ?? 10_000
  if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${ttlMs}`)
  if (!(maxEntries >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${maxEntries}`)
  const entries = new Map<K, { value: V; storedAt: number }>()
  const fresh = (storedAt: number, now: number) => now - storedAt < ttlMs

  return {
    get(key, now) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (fresh(entry.storedAt, now)) return { value: entry.value }
      entries.delete(key)
      return undefined
    },
    set(key, value, now) {
      // Re-inserting moves the key to the end, so Map order stays "oldest stored first".
      entries.delete(key)
      entries.set(key, { value, storedAt: now })
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done) break
        entries.delete(oldest.value)
      }
    },
    delete: (key) => entries.delete(key),
    prune(now) {
      let dropped = 0
      for (const [key, entry] of entries) {
        if (!fresh(entry.storedAt, now)) {
          entries.delete(key)
          dropped++
        }
      }
      return dropped
    },
    clear: () => entries.clear(),
    get size() {
      return entries.size
    },
  }
}
