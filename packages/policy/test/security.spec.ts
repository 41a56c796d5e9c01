import { describe, expect, it } from 'vitest'
import { DEFAULT_SECURITY } from '../src/defaults.js'
import { authMechanisms } from '../src/security.js'
import type { SecuritySettings } from '../src/types.js'

const security = (overrides: Partial<SecuritySettings> = {}): SecuritySettings => ({
  ...DEFAULT_SECURITY,
  saslExternal: { ...DEFAULT_SECURITY.saslExternal },
  ...overrides,
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
