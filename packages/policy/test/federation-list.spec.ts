import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDomainList } from '../src/domain-match.js'
import { createFederationList } from '../src/federation-list.js'
import type { FederationMode } from '../src/types.js'

const lists = (mode: FederationMode, allow: string[] = [], deny: string[] = []) =>
  createFederationList({ mode, allow, deny })

describe('federation modes', () => {
  it('open federates with every well-formed domain except deny entries', () => {
    const list = lists('open', [], ['spam.example'])
    expect(list.check('partner.example')).toMatchObject({ allowed: true, code: 'ALLOWED' })
    expect(list.check('spam.example')).toMatchObject({ allowed: false, code: 'DENYLISTED' })
  })

  it('denylist refuses matching domains with the entry in the reason', () => {
    const list = lists('denylist', [], ['*.spam.example'])
    const decision = list.check('a.b.spam.example')
    expect(decision).toMatchObject({ allowed: false, code: 'DENYLISTED', condition: 'policy-violation' })
    expect(decision.reason).toContain('*.spam.example')
    expect(list.check('spam.example').allowed).toBe(true)
  })

  it('allowlist federates only with allow entries', () => {
    const list = lists('allowlist', ['partner.example', '*.partner.example'])
    expect(list.check('partner.example').allowed).toBe(true)
    expect(list.check('im.partner.example').allowed).toBe(true)
    expect(list.check('other.example')).toMatchObject({ allowed: false, code: 'NOT_ALLOWLISTED' })
  })

  it('deny beats allow where both match', () => {
    const list = lists('allowlist', ['*.partner.example'], ['legacy.partner.example'])
    expect(list.check('legacy.partner.example').code).toBe('DENYLISTED')
    expect(list.check('new.partner.example').code).toBe('ALLOWED')
  })

  it('a malformed domain is refused with INVALID_DOMAIN in every mode', () => {
    for (const mode of ['open', 'allowlist', 'denylist'] as const) {
      expect(lists(mode, ['*.example']).check('a.example/evil')).toMatchObject({
        allowed: false,
        code: 'INVALID_DOMAIN',
        condition: 'jid-malformed',
      })
    }
  })
})

const label = fc.constantFrom('a', 'b', 'c', 'im', 'partner', 'example')
const domainArb = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'))
const entryArb = fc.oneof(
  domainArb,
  domainArb.map((d) => `*.${d}`),
)

describe('federation list properties', () => {
  it('deny beats allow: a domain matching a deny entry is refused in every mode', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<FederationMode>('open', 'allowlist', 'denylist'),
        fc.array(entryArb, { maxLength: 6 }),
        fc.array(entryArb, { maxLength: 6 }),
        domainArb,
        (mode, allow, deny, domain) => {
          const decision = lists(mode, allow, deny).check(domain)
          const denied = createDomainList(deny).match(domain) !== undefined
          const allowed = createDomainList(allow).match(domain) !== undefined
          if (denied) expect(decision.code).toBe('DENYLISTED')
          else if (mode === 'allowlist') expect(decision.allowed).toBe(allowed)
          else expect(decision.allowed).toBe(true)
        },
      ),
    )
  })
})
