import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../src/defaults.js'
import { checkStanzaSize, checkStreamCount, createDomainRateLimiter } from '../src/limits.js'

const limits = { ...DEFAULT_LIMITS, maxStanzaBytes: 10_000, maxStreams: 2, stanzasPerSecond: 1, burst: 2 }

describe('per-domain limits', () => {
  it('refuses a stanza over the byte limit with policy-violation', () => {
    expect(checkStanzaSize('p.example', 10_000, limits).allowed).toBe(true)
    expect(checkStanzaSize('p.example', 10_001, limits)).toMatchObject({
      allowed: false,
      code: 'STANZA_TOO_LARGE',
      condition: 'policy-violation',
    })
  })

  it('refuses one stream more than maxStreams with resource-constraint', () => {
    expect(checkStreamCount('p.example', 1, limits).allowed).toBe(true)
    expect(checkStreamCount('p.example', 2, limits)).toMatchObject({
      allowed: false,
      code: 'TOO_MANY_STREAMS',
      condition: 'resource-constraint',
      errorType: 'wait',
    })
  })

  it('keeps one bucket per domain and forgets it on request', () => {
    const limiter = createDomainRateLimiter(() => limits)
    expect(limiter.check('a.example', 0).allowed).toBe(true)
    expect(limiter.check('a.example', 0).allowed).toBe(true)
    expect(limiter.check('a.example', 0)).toMatchObject({
      allowed: false,
      code: 'RATE_LIMITED',
      errorType: 'wait',
    })
    expect(limiter.check('b.example', 0).allowed).toBe(true)
    expect(limiter.size).toBe(2)
    limiter.forget('a.example')
    expect(limiter.check('a.example', 0).allowed).toBe(true)
  })
})

describe('the rate limiter stays bounded', () => {
  const limits = { maxStanzaBytes: 65536, stanzasPerSecond: 1, burst: 2, maxStreams: 8 }

  it('a peer cycling through 20,000 remote domains never holds more than the bucket cap', () => {
    const limiter = createDomainRateLimiter(() => limits, 100)
    for (let i = 0; i < 20_000; i++) {
      limiter.check(`d${i}.test`, 1_000)
      expect(limiter.size).toBeLessThanOrEqual(100)
    }
  })

  it('keeps a draining bucket while there is room, so its domain stays limited', () => {
    const limiter = createDomainRateLimiter(() => limits, 100)
    expect(limiter.check('busy.test', 0).allowed).toBe(true)
    expect(limiter.check('busy.test', 0).allowed).toBe(true)
    for (let i = 0; i < 50; i++) limiter.check(`other${i}.test`, 0)
    expect(limiter.check('busy.test', 0).allowed).toBe(false)
  })

  it('drops refilled buckets first: they are the same as new ones', () => {
    const limiter = createDomainRateLimiter(() => limits, 10)
    for (let i = 0; i < 10; i++) limiter.check(`d${i}.test`, 0)
    // 10 s later every bucket has refilled; a new domain clears them all.
    limiter.check('new.test', 10_000)
    expect(limiter.size).toBe(1)
  })
})
