import type { KeyType } from '@xmpp-federation/testing'

/**
 * The ways two servers can secure and authenticate s2s, as the interop matrix
 * tries them. Each mode says what both sides are given; the peer launchers
 * (peers.ts) and our host (our-host.ts) turn that into their own settings.
 */
export interface MatrixMode {
  readonly id: string
  /** One line for the doc. */
  readonly title: string
  /** Certificates: from the test CA both sides trust, self-signed, or none at all. */
  readonly certificates: 'ca' | 'self-signed' | 'none'
  readonly keyType: KeyType
  /** Our auth mechanisms in the order the outbound side tries them (and the inbound side offers them). */
  readonly ourAuth: ReadonlyArray<'EXTERNAL' | 'dialback'>
  /** XEP-0368: both sides listen with TLS from the first byte and dial that way. */
  readonly directTls: boolean
  /** The mechanism both sides must end up with. */
  readonly expectedMechanism: 'EXTERNAL' | 'dialback'
}

export const MODES = {
  external: {
    id: 'external',
    title: 'SASL EXTERNAL, CA certificates (RSA)',
    certificates: 'ca',
    keyType: 'rsa',
    ourAuth: ['EXTERNAL'],
    directTls: false,
    expectedMechanism: 'EXTERNAL',
  },
  externalEcdsa: {
    id: 'external-ecdsa',
    title: 'SASL EXTERNAL, CA certificates (ECDSA P-256)',
    certificates: 'ca',
    keyType: 'ecdsa-p256',
    ourAuth: ['EXTERNAL'],
    directTls: false,
    expectedMechanism: 'EXTERNAL',
  },
  dialbackCa: {
    // We offer and try dialback only, so the peer's valid certificate does not lead to EXTERNAL.
    id: 'dialback-tls-ca',
    title: 'dialback over TLS, CA certificates',
    certificates: 'ca',
    keyType: 'rsa',
    ourAuth: ['dialback'],
    directTls: false,
    expectedMechanism: 'dialback',
  },
  dialbackSelfSigned: {
    // EXTERNAL first, as a production host would: the peer cannot verify us, so dialback follows.
    id: 'dialback-tls-self-signed',
    title: 'dialback over TLS, self-signed certificates',
    certificates: 'self-signed',
    keyType: 'rsa',
    ourAuth: ['EXTERNAL', 'dialback'],
    directTls: false,
    expectedMechanism: 'dialback',
  },
  plainDialback: {
    id: 'dialback-plaintext',
    title: 'dialback without TLS',
    certificates: 'none',
    keyType: 'rsa',
    ourAuth: ['dialback'],
    directTls: false,
    expectedMechanism: 'dialback',
  },
  directTls: {
    id: 'direct-tls',
    title: 'direct TLS (XEP-0368), SASL EXTERNAL, CA certificates',
    certificates: 'ca',
    keyType: 'rsa',
    ourAuth: ['EXTERNAL'],
    directTls: true,
    expectedMechanism: 'EXTERNAL',
  },
} as const satisfies Record<string, MatrixMode>

export type Direction = 'we dial' | 'they dial'
export const DIRECTIONS: readonly Direction[] = ['we dial', 'they dial']

/** The s2s port with TLS from the first byte, on both sides. */
export const DIRECT_TLS_PORT = 5270
