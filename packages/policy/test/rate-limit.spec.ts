import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenBucket } from '../src/rate-limit.js'

describe('createTokenBucket', () => {
  it('starts full, empties, then refills at the rate', () => {
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 3 })
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ])
    expect(bucket.take(499)).toBe(false)
    expect(bucket.take(500)).toBe(true)
    expect(bucket.available(10_000)).toBe(3)
  })

  it('takes n tokens at once or none', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, burst: 5 })
    expect(bucket.take(0, 4)).toBe(true)
    expect(bucket.take(0, 2)).toBe(false)
    expect(bucket.available(0)).toBe(1)
    expect(bucket.take(0, 6)).toBe(false)
    expect(bucket.take(0, 0)).toBe(true)
  })

  it('a clock going backwards mints nothing', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, burst: 1 })
    expect(bucket.take(10_000)).toBe(true)
    expect(bucket.take(0)).toBe(false)
    expect(bucket.take(10_500)).toBe(false)
    expect(bucket.take(11_000)).toBe(true)
  })

  it('rejects nonsense options', () => {
    expect(() => createTokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError)
    expect(() => createTokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError)
    expect(() => createTokenBucket({ ratePerSecond: Number.POSITIVE_INFINITY, burst: 1 })).toThrow(RangeError)
    expect(() => createTokenBucket({ ratePerSecond: 1, burst: 1 }).take(0, -1)).toThrow(RangeError)
  })
})

describe('token bucket properties', () => {
  const rate = fc.double({ min: 0.1, max: 1000, noNaN: true })
  const burst = fc.integer({ min: 1, max: 100 })
  const steps = fc.array(
    fc.record({ dt: fc.integer({ min: 0, max: 2000 }), n: fc.integer({ min: 0, max: 5 }) }),
    {
      maxLength: 200,
    },
  )

  it('never exceeds burst: tokens taken in any window <= burst + rate x window', () => {
    fc.assert(
      fc.property(rate, burst, steps, (ratePerSecond, size, sequence) => {
        const bucket = createTokenBucket({ ratePerSecond, burst: size })
        let now = 0
        const taken: { at: number; n: number }[] = []
        for (const { dt, n } of sequence) {
          now += dt
          if (bucket.take(now, n)) taken.push({ at: now, n })
          expect(bucket.available(now)).toBeLessThanOrEqual(size)
        }
        for (let i = 0; i < taken.length; i++) {
          let sum = 0
          for (let j = i; j < taken.length; j++) {
            sum += taken[j]!.n
            const window = taken[j]!.at - taken[i]!.at
            expect(sum).toBeLessThanOrEqual(size + (ratePerSecond * window) / 1000 + 1e-6)
          }
        }
      }),
    )
  })

  it('refills at the rate: after emptying, k tokens come back in k / rate seconds', () => {
    fc.assert(
      fc.property(rate, burst, fc.integer({ min: 1, max: 100 }), (ratePerSecond, size, wanted) => {
        const k = Math.min(wanted, size)
        const bucket = createTokenBucket({ ratePerSecond, burst: size })
        expect(bucket.take(0, size)).toBe(true)
        const wait = (k / ratePerSecond) * 1000
        expect(bucket.available(wait)).toBeCloseTo(k, 6)
        expect(bucket.take(wait, k)).toBe(true)
        expect(bucket.take(wait, 1)).toBe(false)
      }),
    )
  })
})
