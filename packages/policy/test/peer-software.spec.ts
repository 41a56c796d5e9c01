import { parse } from 'ltx'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PEER_RULES } from '../src/defaults.js'
import { checkPeerSoftware, createPeerSoftwareCache, parsePeerSoftware } from '../src/peer-software.js'
import type { PeerRule } from '../src/types.js'

const policy = (
  peerRules: readonly PeerRule[] = DEFAULT_PEER_RULES,
  unknownSoftware: 'allow' | 'refuse' = 'allow',
) => ({
  peerRules: [...peerRules],
  unknownSoftware,
})

describe('checkPeerSoftware', () => {
  it('refuses Cisco Unified Presence 7.x by default, allows 8.x', () => {
    const refused = checkPeerSoftware(
      'cup.example',
      { name: 'Cisco Unified Presence Server', version: '7.1.5' },
      policy(),
    )
    expect(refused).toMatchObject({
      allowed: false,
      code: 'PEER_SOFTWARE_REFUSED',
      condition: 'policy-violation',
    })
    expect(refused.reason).toContain('cup.example')
    expect(refused.reason).toContain('before 8.x')
    expect(
      checkPeerSoftware('cup.example', { name: 'cisco unified presence', version: '8.6.4.10000-2' }, policy())
        .allowed,
    ).toBe(true)
    expect(checkPeerSoftware('p.example', { name: 'Prosody', version: '0.12.4' }, policy()).allowed).toBe(
      true,
    )
  })

  it('matches the product case-insensitively as a substring', () => {
    const rules: PeerRule[] = [{ product: 'ejabberd', action: 'refuse', reason: 'no ejabberd' }]
    const decision = checkPeerSoftware(
      'e.example',
      { name: 'EJABBERD Community', version: '23.01' },
      policy(rules),
    )
    expect(decision).toMatchObject({ code: 'PEER_SOFTWARE_REFUSED' })
    expect(decision.reason).toContain('no ejabberd')
  })

  it('first matching rule wins: an allow rule can carve out an exception', () => {
    const rules: PeerRule[] = [
      { product: 'Example Server', versionBelow: '2.1', action: 'allow' },
      { product: 'Example Server', versionBelow: '3', action: 'refuse' },
    ]
    expect(
      checkPeerSoftware('x.example', { name: 'Example Server', version: '2.0.9' }, policy(rules)).allowed,
    ).toBe(true)
    expect(
      checkPeerSoftware('x.example', { name: 'Example Server', version: '2.5' }, policy(rules)).allowed,
    ).toBe(false)
    expect(
      checkPeerSoftware('x.example', { name: 'Example Server', version: '3.0' }, policy(rules)).allowed,
    ).toBe(true)
  })

  it('a rule without versionBelow matches every version, even none', () => {
    const rules: PeerRule[] = [{ product: 'Legacy', action: 'refuse' }]
    expect(checkPeerSoftware('l.example', { name: 'Legacy IM' }, policy(rules)).code).toBe(
      'PEER_SOFTWARE_REFUSED',
    )
  })

  it('no XEP-0092 answer: allowed by default, refused with PEER_SOFTWARE_UNKNOWN when configured', () => {
    expect(checkPeerSoftware('q.example', undefined, policy()).allowed).toBe(true)
    expect(checkPeerSoftware('q.example', undefined, policy(DEFAULT_PEER_RULES, 'refuse'))).toMatchObject({
      allowed: false,
      code: 'PEER_SOFTWARE_UNKNOWN',
    })
  })

  it('a matching product with an uncomparable version follows unknownSoftware', () => {
    const software = { name: 'Cisco Unified Presence', version: 'unknown' }
    expect(checkPeerSoftware('cup.example', software, policy()).allowed).toBe(true)
    expect(checkPeerSoftware('cup.example', software, policy(DEFAULT_PEER_RULES, 'refuse')).code).toBe(
      'PEER_SOFTWARE_UNKNOWN',
    )
  })
})

describe('parsePeerSoftware', () => {
  it('reads name, version and os from a jabber:iq:version result', () => {
    const iq = parse(
      `<iq type='result' from='cup.example' id='v1'><query xmlns='jabber:iq:version'><name>Cisco Unified Presence</name><version>7.1</version><os>Linux</os></query></iq>`,
    )
    expect(parsePeerSoftware(iq)).toEqual({ name: 'Cisco Unified Presence', version: '7.1', os: 'Linux' })
  })

  it('an error, another payload or a nameless answer is no answer', () => {
    expect(
      parsePeerSoftware(parse(`<iq type='error'><query xmlns='jabber:iq:version'/></iq>`)),
    ).toBeUndefined()
    expect(
      parsePeerSoftware(parse(`<iq type='result'><query xmlns='jabber:iq:roster'/></iq>`)),
    ).toBeUndefined()
    expect(
      parsePeerSoftware(
        parse(`<iq type='result'><query xmlns='jabber:iq:version'><name> </name></query></iq>`),
      ),
    ).toBeUndefined()
  })
})

describe('createPeerSoftwareCache', () => {
  it('remembers answers and non-answers per domain for ttlMs', () => {
    const cache = createPeerSoftwareCache({ ttlMs: 60_000 })
    cache.set('p.example', { name: 'Prosody', version: '0.12.4' }, 0)
    cache.set('q.example', undefined, 0)
    expect(cache.get('p.example', 59_999)?.value?.name).toBe('Prosody')
    expect(cache.get('q.example', 1)).toEqual({ value: undefined })
    expect(cache.get('p.example', 60_000)).toBeUndefined()
  })
})
