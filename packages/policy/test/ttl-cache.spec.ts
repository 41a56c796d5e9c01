import { describe, expect, it } from 'vitest'
import { createTtlCache } from '../src/ttl-cache.js'

describe('createTtlCache', () => {
  it('serves an entry until ttlMs after it was stored', () => {
    const cache = createTtlCache<string, number>({ ttlMs: 1000 })
    cache.set('a', 1, 5000)
    expect(cache.get('a', 5999)).toEqual({ value: 1 })
    expect(cache.get('a', 6000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('caches undefined as a value, distinct from a miss', () => {
    const cache = createTtlCache<string, string | undefined>({ ttlMs: 1000 })
    cache.set('peer.example', undefined, 0)
    expect(cache.get('peer.example', 1)).toEqual({ value: undefined })
    expect(cache.get('other.example', 1)).toBeUndefined()
  })

  it('drops the oldest stored entry beyond maxEntries', () => {
    const cache = createTtlCache<string, number>({ ttlMs: 1000, maxEntries: 2 })
    cache.set('a', 1, 0)
    cache.set('b', 2, 0)
    cache.set('a', 3, 1) // re-stored: now the newest
    cache.set('c', 4, 2)
    expect(cache.get('b', 3)).toBeUndefined()
    expect(cache.get('a', 3)).toEqual({ value: 3 })
    expect(cache.get('c', 3)).toEqual({ value: 4 })
  })

  it('prunes expired entries on request, deletes and clears', () => {
    const cache = createTtlCache<string, number>({ ttlMs: 10 })
    cache.set('a', 1, 0)
    cache.set('b', 2, 5)
    expect(cache.prune(12)).toBe(1)
    expect(cache.delete('b')).toBe(true)
    cache.set('c', 3, 12)
    cache.clear()
    expect(cache.size).toBe(0)
  })

  it('ttlMs 0 caches nothing; bad options throw', () => {
    const cache = createTtlCache<string, number>({ ttlMs: 0 })
    cache.set('a', 1, 0)
    expect(cache.get('a', 0)).toBeUndefined()
    expect(() => createTtlCache({ ttlMs: -1 })).toThrow(RangeError)
    expect(() => createTtlCache({ ttlMs: 1, maxEntries: 0 })).toThrow(RangeError)
  })
})
