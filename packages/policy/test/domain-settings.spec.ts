import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { withPolicyDefaults } from '../src/defaults.js'
import { createDomainTable } from '../src/domain-match.js'
import { createDomainSettings } from '../src/domain-settings.js'
import type { DomainOverride, TlsMode } from '../src/types.js'

const resolver = (domains: Record<string, DomainOverride>, webexDomains: string[] = []) =>
  createDomainSettings(withPolicyDefaults({ domains: ['corp.example'], policy: { domains, webexDomains } }))

describe('per-domain settings', () => {
  it('uses the global defaults where no entry matches', () => {
    const settings = resolver({ 'partner.example': { tls: 'opportunistic' } }).resolve('other.example')
    expect(settings.security.tls).toBe('required')
    expect(settings.limits.maxStreams).toBe(8)
    expect(settings.webex).toBe(false)
  })

  it('exact beats the longest wildcard, which beats a shorter one', () => {
    const settings = resolver({
      '*.example': { tls: 'none', requireValidCertificate: false },
      '*.partner.example': { tls: 'opportunistic' },
      'legacy.partner.example': { tls: 'required' },
    })
    expect(settings.resolve('a.partner.example').security.tls).toBe('opportunistic')
    expect(settings.resolve('legacy.partner.example').security.tls).toBe('required')
    expect(settings.resolve('other.example').security.tls).toBe('none')
  })

  it('cascades field by field: an exact entry keeps what a wildcard set unless it says otherwise', () => {
    const settings = resolver({
      '*.partner.example': { tls: 'required', limits: { burst: 5 }, saslExternal: { outbound: false } },
      'old.partner.example': { dialback: false, limits: { maxStreams: 2 }, saslExternal: { inbound: false } },
    }).resolve('old.partner.example')
    expect(settings.security).toMatchObject({
      tls: 'required',
      dialback: false,
      saslExternal: { inbound: false, outbound: false },
    })
    expect(settings.limits).toMatchObject({ burst: 5, maxStreams: 2, stanzasPerSecond: 100 })
  })

  it('webexDomains tag domains, and a domains entry with the same key or a more specific one wins', () => {
    const settings = resolver({ 'internal.webex.example': { webex: false } }, ['*.webex.example'])
    expect(settings.resolve('a.webex.example').webex).toBe(true)
    expect(settings.resolve('internal.webex.example').webex).toBe(false)
    expect(
      resolver({ '*.webex.example': { webex: false } }, ['*.webex.example']).resolve('a.webex.example').webex,
    ).toBe(false)
  })

  it('never shares state between resolutions', () => {
    const settings = resolver({})
    const first = settings.resolve('a.example')
    first.security.saslExternal.inbound = false
    expect(settings.resolve('a.example').security.saslExternal.inbound).toBe(true)
  })
})

describe('most specific override wins (property)', () => {
  const label = fc.constantFrom('a', 'b', 'x', 'partner', 'example')
  const domainArb = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'))
  const keyArb = fc.oneof(
    domainArb,
    domainArb.map((d) => `*.${d}`),
  )
  const tlsArb = fc.option(fc.constantFrom<TlsMode>('none', 'opportunistic', 'required'), { nil: undefined })
  const burstArb = fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined })

  it('each field comes from the most specific matching entry that sets it, else the global default', () => {
    fc.assert(
      fc.property(
        fc.dictionary(keyArb, fc.record({ tls: tlsArb, burst: burstArb }), { maxKeys: 6 }),
        domainArb,
        (raw, domain) => {
          const domains: Record<string, DomainOverride> = {}
          for (const [key, { tls, burst }] of Object.entries(raw)) {
            domains[key] = { ...(tls ? { tls } : {}), ...(burst ? { limits: { burst } } : {}) }
          }
          const resolved = resolver(domains).resolve(domain)
          const matches = createDomainTable(Object.entries(domains)).matches(domain)
          const tls = matches.map((m) => m.values[0]?.tls).find((v) => v !== undefined) ?? 'required'
          const burst = matches.map((m) => m.values[0]?.limits?.burst).find((v) => v !== undefined) ?? 500
          expect(resolved.security.tls).toBe(tls)
          expect(resolved.limits.burst).toBe(burst)
        },
      ),
    )
  })
})
