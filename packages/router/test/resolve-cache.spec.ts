import { describe, expect, it } from 'vitest'
import { createExpiringCache } from '../src/resolve/cache.js'
import { createResolver, type ResolverOptions } from '../src/resolve/index.js'
import { type FakeZone, fakeDns, srv } from './resolve-fake-dns.js'

const XMPP = (domain: string) => `_xmpp-server._tcp.${domain}`

function setup(zone: FakeZone, options: Omit<ResolverOptions, 'dns' | 'now'> = {}) {
  const clock = { now: 0 }
  const dns = fakeDns(zone)
  const resolver = createResolver({ ...options, dns, now: () => clock.now })
  const srvQuestions = () => dns.questions.filter((q) => q.startsWith('SRV _xmpp-server')).length
  return { clock, dns, resolver, srvQuestions }
}

const withTtl = (ttlSeconds: number) => ({
  srv: { [XMPP('a.test')]: [srv('x.a.test', 5269)] },
  a: { 'x.a.test': [{ address: '192.0.2.1', ttlSeconds }] },
  aaaa: { 'x.a.test': [{ address: '2001:db8::1', ttlSeconds: ttlSeconds * 2 }] },
})

describe('resolver cache', () => {
  it('reuses an answer for the smallest TTL of its records', async () => {
    const { clock, resolver, srvQuestions } = setup(withTtl(30))
    await resolver.resolve('a.test')
    clock.now = 29_999
    await resolver.resolve('A.test')
    expect(srvQuestions()).toBe(1)
    clock.now = 30_000
    await resolver.resolve('a.test')
    expect(srvQuestions()).toBe(2)
  })

  it('caps the TTL with maxTtlMs, which stands in for the SRV TTL node:dns does not report', async () => {
    const { clock, resolver, srvQuestions } = setup(withTtl(3600), { cache: { maxTtlMs: 10_000 } })
    await resolver.resolve('a.test')
    clock.now = 10_000
    await resolver.resolve('a.test')
    expect(srvQuestions()).toBe(2)
  })

  it('respects an SRV TTL when the lookup reports one', async () => {
    const zone = withTtl(3600)
    zone.srv[XMPP('a.test')] = [{ ...srv('x.a.test', 5269), ttlSeconds: 5 }]
    const { clock, resolver, srvQuestions } = setup(zone)
    await resolver.resolve('a.test')
    clock.now = 5_000
    await resolver.resolve('a.test')
    expect(srvQuestions()).toBe(2)
  })

  it('does not keep an answer with TTL 0', async () => {
    const { resolver, srvQuestions } = setup(withTtl(0))
    await resolver.resolve('a.test')
    await resolver.resolve('a.test')
    expect(srvQuestions()).toBe(2)
  })

  it('does not keep failures', async () => {
    const { resolver, srvQuestions } = setup({ failures: { [`SRV ${XMPP('a.test')}`]: 'TIMEOUT' } })
    await expect(resolver.resolve('a.test')).rejects.toMatchObject({ code: 'TIMEOUT' })
    await expect(resolver.resolve('a.test')).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(srvQuestions()).toBe(2)
  })

  it('draws the weighted order anew for every call, cached or not', async () => {
    const zone = {
      srv: { [XMPP('a.test')]: [srv('one.a.test', 5269, 0, 1), srv('two.a.test', 5269, 0, 1)] },
      a: {
        'one.a.test': [{ address: '192.0.2.1', ttlSeconds: 60 }],
        'two.a.test': [{ address: '192.0.2.2', ttlSeconds: 60 }],
      },
    }
    const draws = [0, 0, 0.99, 0]
    const { resolver, srvQuestions } = setup(zone, { random: () => draws.shift()! })
    expect((await resolver.resolve('a.test'))[0]!.host).toBe('192.0.2.1')
    expect((await resolver.resolve('a.test'))[0]!.host).toBe('192.0.2.2')
    expect(srvQuestions()).toBe(1)
  })

  it('shares the questions of concurrent resolutions of one domain', async () => {
    const { resolver, srvQuestions } = setup(withTtl(0))
    const results = await Promise.all([resolver.resolve('a.test'), resolver.resolve('a.test')])
    expect(results[0]).toEqual(results[1])
    expect(srvQuestions()).toBe(1)
  })

  it('asks every time when turned off', async () => {
    const { resolver, srvQuestions } = setup(withTtl(60), { cache: false })
    await resolver.resolve('a.test')
    await resolver.resolve('a.test')
    expect(srvQuestions()).toBe(2)
  })

  it('holds at most maxEntries domains, dropping the least recently used', async () => {
    const zone = {
      a: Object.fromEntries(
        ['a', 'b', 'c'].map((d) => [`${d}.test`, [{ address: '192.0.2.1', ttlSeconds: 60 }]]),
      ),
    }
    const { dns, resolver } = setup(zone, { cache: { maxEntries: 2 } })
    const asked = (domain: string) => dns.questions.filter((q) => q === `A ${domain}`).length
    await resolver.resolve('a.test')
    await resolver.resolve('b.test')
    await resolver.resolve('a.test') // a is now more recent than b
    await resolver.resolve('c.test') // b goes
    await resolver.resolve('a.test')
    await resolver.resolve('b.test')
    expect([asked('a.test'), asked('b.test'), asked('c.test')]).toEqual([1, 2, 1])
  })
})

describe('createExpiringCache', () => {
  it('expires each entry after its own TTL', () => {
    let now = 0
    const cache = createExpiringCache<string>({ maxEntries: 10, now: () => now })
    cache.set('short', 's', 10)
    cache.set('long', 'l', 100)
    now = 10
    expect(cache.get('short')).toBeUndefined()
    expect(cache.get('long')).toBe('l')
    expect(cache.size).toBe(1)
  })

  it('stores nothing for a TTL of 0 or less, and drops what was there', () => {
    const cache = createExpiringCache<string>({ maxEntries: 10, now: () => 0 })
    cache.set('k', 'v', 100)
    cache.set('k', 'w', 0)
    expect(cache.get('k')).toBeUndefined()
  })

  it('refuses a bound below 1', () => {
    expect(() => createExpiringCache({ maxEntries: 0, now: Date.now })).toThrow(RangeError)
  })
})
