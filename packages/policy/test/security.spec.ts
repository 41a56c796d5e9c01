import { describe, expect, it } from 'vitest'
import { DEFAULT_SECURITY } from '../src/defaults.js'
import { authMechanisms, decideDialback } from '../src/security.js'
import type { SecuritySettings } from '../src/types.js'

const security = (overrides: Partial<SecuritySettings> = {}): SecuritySettings => ({
  ...DEFAULT_SECURITY,
  saslExternal: { ...DEFAULT_SECURITY.saslExternal },
  ...overrides,
})

describe('decideDialback (XEP-0344)', () => {
  it('refuses when dialback is disabled for the domain', () => {
    expect(
      decideDialback('p.example', security({ dialback: false }), { tlsUsed: true, certificateValid: true }),
    ).toMatchObject({ allowed: false, code: 'DIALBACK_DISABLED' })
  })

  it('refuses dialback on a stream without TLS when the domain requires TLS', () => {
    const decision = decideDialback(
      'p.example',
      security({ tls: 'required', requireValidCertificate: false }),
      {
        tlsUsed: false,
        certificateValid: false,
      },
    )
    expect(decision).toMatchObject({ allowed: false, code: 'TLS_REQUIRED', condition: 'policy-violation' })
  })

  it('refuses dialback as a stand-in for a certificate the policy requires', () => {
    expect(decideDialback('p.example', security(), { tlsUsed: true, certificateValid: false })).toMatchObject(
      {
        allowed: false,
        code: 'CERTIFICATE_REQUIRED',
      },
    )
  })

  it('skips the authoritative round trip when the certificate names the domain', () => {
    const decision = decideDialback('p.example', security(), { tlsUsed: true, certificateValid: true })
    expect(decision).toMatchObject({ allowed: true, authoritativeCheckNeeded: false })
    expect(decision.reason).toContain('XEP-0344')
  })

  it('needs the round trip over TLS with a self-signed certificate when certificates are not required', () => {
    const decision = decideDialback('p.example', security({ requireValidCertificate: false }), {
      tlsUsed: true,
      certificateValid: false,
    })
    expect(decision).toMatchObject({ allowed: true, authoritativeCheckNeeded: true })
  })

  it('allows clear-text dialback only where TLS is not required, with the round trip', () => {
    for (const tls of ['none', 'opportunistic'] as const) {
      const decision = decideDialback('p.example', security({ tls, requireValidCertificate: false }), {
        tlsUsed: false,
        certificateValid: true, // meaningless without TLS: ignored
      })
      expect(decision).toMatchObject({ allowed: true, authoritativeCheckNeeded: true })
    }
  })
})

describe('authMechanisms', () => {
  it('lists SASL EXTERNAL before dialback, per direction', () => {
    expect(authMechanisms(security(), 'outbound')).toEqual(['sasl-external', 'dialback'])
    expect(authMechanisms(security({ saslExternal: { inbound: false, outbound: true } }), 'inbound')).toEqual(
      ['dialback'],
    )
    expect(authMechanisms(security({ dialback: false }), 'inbound')).toEqual(['sasl-external'])
  })

  it('never lists SASL EXTERNAL without TLS', () => {
    expect(authMechanisms(security({ tls: 'none', requireValidCertificate: false }), 'outbound')).toEqual([
      'dialback',
    ])
  })
})
