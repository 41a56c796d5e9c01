import type { AuthStream, SecurityPolicy } from '@xmpp-federation/stream'
import { describe, expect, it } from 'vitest'
import { tlsPolicy } from '../src/index.js'

/** Just what the policy reads of a stream (a unit test's stand-in for the auth view). */
function session(security: SecurityPolicy, tls?: { validFor: string[] }): AuthStream {
  const state = tls && {
    protocol: 'TLSv1.3',
    peerCertificate: { validFor: (domain: string) => tls.validFor.includes(domain) },
  }
  return { security: () => security, tls: state } as unknown as AuthStream
}

// The one copy of the XEP-0344 rule (the policy package's decideDialback was a second one,
// called only by its tests); its cases live here now.
describe('tlsPolicy (XEP-0344 rules from the TLS mode)', () => {
  it('allows dialback in the clear when TLS is none or opportunistic', () => {
    for (const tls of ['none', 'opportunistic'] as const) {
      expect(tlsPolicy('a.test', session({ tls, requireValidCertificate: false }))).toEqual({ allowed: true })
    }
  })

  it('refuses dialback for a domain whose security disables it, whatever the TLS', () => {
    const security = { tls: 'opportunistic', requireValidCertificate: false, dialback: false } as const
    expect(tlsPolicy('a.test', session(security, { validFor: ['a.test'] }))).toMatchObject({
      allowed: false,
      reason: 'dialback is disabled for a.test',
    })
  })

  it('refuses dialback without TLS when TLS is required: policy-violation', () => {
    expect(tlsPolicy('a.test', session({ tls: 'required', requireValidCertificate: false }))).toMatchObject({
      allowed: false,
      condition: 'policy-violation',
    })
  })

  it('allows TLS with any certificate unless a valid one is required', () => {
    const selfSigned = { validFor: [] }
    expect(
      tlsPolicy('a.test', session({ tls: 'required', requireValidCertificate: false }, selfSigned)),
    ).toEqual({
      allowed: true,
    })
    expect(
      tlsPolicy('a.test', session({ tls: 'required', requireValidCertificate: true }, selfSigned)),
    ).toMatchObject({
      allowed: false,
      condition: 'not-authorized',
      reason: expect.stringMatching(/valid certificate for a\.test/),
    })
    expect(
      tlsPolicy(
        'a.test',
        session({ tls: 'required', requireValidCertificate: true }, { validFor: ['a.test'] }),
      ),
    ).toEqual({ allowed: true })
  })

  it('without TLS there is no certificate to trust: a required one refuses clear-text dialback', () => {
    for (const tls of ['none', 'opportunistic'] as const) {
      expect(tlsPolicy('a.test', session({ tls, requireValidCertificate: true }))).toMatchObject({
        allowed: false,
        condition: 'not-authorized',
      })
    }
  })

  it('a certificate that names another domain does not stand in for this one', () => {
    const security = { tls: 'required', requireValidCertificate: true } as const
    expect(tlsPolicy('a.test', session(security, { validFor: ['b.test'] }))).toMatchObject({
      allowed: false,
      condition: 'not-authorized',
    })
  })
})
