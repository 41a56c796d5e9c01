import { describe, expect, it } from 'vitest'
import { DEFAULT_VERIFICATION_LIMITS, peerAddressKey, VerificationLimiter } from '../src/index.js'

const pair = (i: number) => `d.test evil-${i}.test`

describe('VerificationLimiter', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_VERIFICATION_LIMITS).toEqual({
      perStream: 8,
      perAddress: 32,
      total: 256,
      pairsPerStream: 32,
    })
  })

  it('admits up to perStream on one stream, then resource-constraint; a release frees a slot', () => {
    const limiter = new VerificationLimiter({ perStream: 2 })
    const stream = {}
    const first = limiter.admit(stream, '192.0.2.1', pair(1))
    const second = limiter.admit(stream, '192.0.2.1', pair(2))
    expect([first.admitted, second.admitted]).toEqual([true, true])
    const third = limiter.admit(stream, '192.0.2.1', pair(3))
    expect(third).toMatchObject({ admitted: false, condition: 'resource-constraint' })
    expect(third.admitted || third.reason).toMatch(/2 verifications in flight on this stream/)
    expect(limiter.admit({}, '192.0.2.1', pair(3)).admitted).toBe(true) // another stream has its own slots
    if (first.admitted) first.release()
    expect(limiter.admit(stream, '192.0.2.1', pair(3)).admitted).toBe(true)
  })

  it('bounds one peer address across its streams, and not other addresses', () => {
    const limiter = new VerificationLimiter({ perStream: 2, perAddress: 3 })
    const admitted = [1, 2, 3].map((i) => limiter.admit({}, '192.0.2.1', pair(i)).admitted)
    expect(admitted).toEqual([true, true, true])
    const refused = limiter.admit({}, '192.0.2.1', pair(4))
    expect(refused).toMatchObject({ admitted: false, condition: 'resource-constraint' })
    expect(refused.admitted || refused.reason).toMatch(/3 verifications in flight for 192\.0\.2\.1/)
    expect(limiter.admit({}, '192.0.2.2', pair(4)).admitted).toBe(true)
  })

  it('bounds everything together, streams without an address included', () => {
    const limiter = new VerificationLimiter({ total: 3 })
    for (const address of ['192.0.2.1', '192.0.2.2', undefined]) {
      expect(limiter.admit({}, address, pair(1)).admitted).toBe(true)
    }
    expect(limiter.inFlight).toBe(3)
    const refused = limiter.admit({}, '192.0.2.3', pair(1))
    expect(refused.admitted || refused.reason).toMatch(/^3 verifications in flight; try again later$/)
  })

  it('releases once: a second call frees nothing more', () => {
    const limiter = new VerificationLimiter({ total: 2 })
    const first = limiter.admit({}, '192.0.2.1', pair(1))
    limiter.admit({}, '192.0.2.1', pair(2))
    if (!first.admitted) throw new Error('not admitted')
    first.release()
    first.release()
    expect(limiter.inFlight).toBe(1)
  })

  it('gives each stream a budget of distinct pairs over its life: past it, policy-violation; known pairs still pass', () => {
    const limiter = new VerificationLimiter({ pairsPerStream: 2 })
    const stream = {}
    for (const i of [1, 2]) {
      const admission = limiter.admit(stream, undefined, pair(i))
      if (admission.admitted) admission.release()
    }
    const third = limiter.admit(stream, undefined, pair(3))
    expect(third).toMatchObject({ admitted: false, condition: 'policy-violation' })
    expect(third.admitted || third.reason).toMatch(/already asked to verify 2 domain pairs/)
    expect(limiter.admit(stream, undefined, pair(1)).admitted).toBe(true) // a retry is not a new pair
  })

  it('a pair refused for a full slot does not use up the stream budget', () => {
    const limiter = new VerificationLimiter({ perStream: 1, pairsPerStream: 2 })
    const stream = {}
    const first = limiter.admit(stream, undefined, pair(1))
    expect(limiter.admit(stream, undefined, pair(2)).admitted).toBe(false)
    expect(limiter.admit(stream, undefined, pair(3)).admitted).toBe(false)
    if (first.admitted) first.release()
    expect(limiter.admit(stream, undefined, pair(2)).admitted).toBe(true)
  })

  it('refuses limits below 1, takes Infinity, and ignores undefined', () => {
    expect(() => new VerificationLimiter({ perStream: 0 })).toThrow(RangeError)
    expect(() => new VerificationLimiter({ total: Number.NaN })).toThrow(/limits\.total/)
    const unbounded = new VerificationLimiter({ perStream: Number.POSITIVE_INFINITY, perAddress: undefined })
    const stream = {}
    for (let i = 0; i < 20; i++) expect(unbounded.admit(stream, 'x', pair(i % 4)).admitted).toBe(true)
  })
})

describe('peerAddressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and groups IPv6 by /64', () => {
    expect(peerAddressKey('192.0.2.7')).toBe('192.0.2.7')
    expect(peerAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7')
    expect(peerAddressKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64')
    expect(peerAddressKey('2001:0db8:0000:0001:ffff:0:0:9')).toBe('2001:db8:0:1::/64')
    expect(peerAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(peerAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(peerAddressKey('::1')).toBe('0:0:0:0::/64')
    expect(peerAddressKey(undefined)).toBeUndefined()
  })
})
