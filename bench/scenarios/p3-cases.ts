/**
 * What P3 measures: each path (library → library with and without the XEP-0092 check,
 * library → Prosody, Prosody → Prosody) with one kind of certificate, over STARTTLS or direct
 * TLS, to a peer met for the first time or known from an earlier answer, is a case, a row of the
 * table; and in which order, given that a Prosody pair presents one kind of certificate at a time.
 */
import type { KeyType } from '@xmpp-federation/testing'

/** The four paths P3 compares. */
export type Path = 'library' | 'libraryNoCheck' | 'toProsody' | 'prosody'

/**
 * A path measured with one kind of certificate: a row of the table. The RSA cases keep the ids
 * they had in results from before ECDSA was measured.
 */
export type CaseId =
  | 'library'
  | 'libraryEcdsa'
  | 'libraryNoCheck'
  | 'libraryKnown'
  | 'libraryKnownEcdsa'
  | 'libraryDirect'
  | 'libraryDirectEcdsa'
  | 'libraryDirectKnown'
  | 'libraryDirectKnownEcdsa'
  | 'toProsody'
  | 'toProsodyEcdsa'
  | 'toProsodyKnown'
  | 'toProsodyKnownEcdsa'
  | 'toProsodyDirect'
  | 'toProsodyDirectEcdsa'
  | 'toProsodyDirectKnown'
  | 'toProsodyDirectKnownEcdsa'
  | 'prosody'
  | 'prosodyEcdsa'

export interface Case {
  readonly path: Path
  readonly keyType: KeyType
  readonly label: string
  /** The RSA case of the same path, for the ECDSA/RSA ratio. */
  readonly rsaTwin?: CaseId
  /** XEP-0368: the sender dials the peer's direct TLS port (5270) instead of STARTTLS on 5269. */
  readonly directTls?: boolean
  /**
   * The sending federation met the peer before: its XEP-0092 answer is stale (the sender's
   * `cacheTtlMs` is 1 ms) but known, and allowed, so the new stream does not wait for the new one.
   * Measured on a second stream of the same sending federation, after the first was closed.
   */
  readonly known?: boolean
}

const ECDSA = '  same, ECDSA P-256 certificates'

export const CASES: Record<CaseId, Case> = {
  library: { path: 'library', keyType: 'rsa', label: 'library c.test → library d.test' },
  libraryEcdsa: { path: 'library', keyType: 'ecdsa-p256', label: ECDSA, rsaTwin: 'library' },
  libraryNoCheck: {
    path: 'libraryNoCheck',
    keyType: 'rsa',
    label: '  same (RSA), peerRules: [] (no XEP-0092 check)',
  },
  libraryKnown: {
    path: 'library',
    keyType: 'rsa',
    known: true,
    label: 'library → library, peer known (stale answer)',
  },
  libraryKnownEcdsa: {
    path: 'library',
    keyType: 'ecdsa-p256',
    known: true,
    label: ECDSA,
    rsaTwin: 'libraryKnown',
  },
  libraryDirect: {
    path: 'library',
    keyType: 'rsa',
    directTls: true,
    label: 'library → library, direct TLS (XEP-0368)',
  },
  libraryDirectEcdsa: {
    path: 'library',
    keyType: 'ecdsa-p256',
    directTls: true,
    label: ECDSA,
    rsaTwin: 'libraryDirect',
  },
  libraryDirectKnown: {
    path: 'library',
    keyType: 'rsa',
    directTls: true,
    known: true,
    label: 'library → library, direct TLS, peer known',
  },
  libraryDirectKnownEcdsa: {
    path: 'library',
    keyType: 'ecdsa-p256',
    directTls: true,
    known: true,
    label: ECDSA,
    rsaTwin: 'libraryDirectKnown',
  },
  toProsody: { path: 'toProsody', keyType: 'rsa', label: 'library c.test → Prosody b.test' },
  toProsodyEcdsa: { path: 'toProsody', keyType: 'ecdsa-p256', label: ECDSA, rsaTwin: 'toProsody' },
  toProsodyKnown: {
    path: 'toProsody',
    keyType: 'rsa',
    known: true,
    label: 'library → Prosody, peer known (stale answer)',
  },
  toProsodyKnownEcdsa: {
    path: 'toProsody',
    keyType: 'ecdsa-p256',
    known: true,
    label: ECDSA,
    rsaTwin: 'toProsodyKnown',
  },
  toProsodyDirect: {
    path: 'toProsody',
    keyType: 'rsa',
    directTls: true,
    label: 'library → Prosody, direct TLS (XEP-0368)',
  },
  toProsodyDirectEcdsa: {
    path: 'toProsody',
    keyType: 'ecdsa-p256',
    directTls: true,
    label: ECDSA,
    rsaTwin: 'toProsodyDirect',
  },
  toProsodyDirectKnown: {
    path: 'toProsody',
    keyType: 'rsa',
    directTls: true,
    known: true,
    label: 'library → Prosody, direct TLS, peer known',
  },
  toProsodyDirectKnownEcdsa: {
    path: 'toProsody',
    keyType: 'ecdsa-p256',
    directTls: true,
    known: true,
    label: ECDSA,
    rsaTwin: 'toProsodyDirectKnown',
  },
  prosody: { path: 'prosody', keyType: 'rsa', label: 'Prosody a.test → Prosody b.test' },
  prosodyEcdsa: { path: 'prosody', keyType: 'ecdsa-p256', label: ECDSA, rsaTwin: 'prosody' },
}
export const CASE_IDS = Object.keys(CASES) as CaseId[]

/**
 * A Prosody pair holds one certificate per domain, so the Prosody cases run in two phases, each
 * with its own pair. library → library needs no Prosody: its ECDSA cases run in the RSA phase,
 * in the same rounds as their RSA twins, which makes those ratios the steadier ones.
 */
export const PHASES: readonly { keyType: KeyType; cases: readonly CaseId[] }[] = [
  {
    keyType: 'rsa',
    cases: [
      'library',
      'libraryEcdsa',
      'libraryNoCheck',
      'libraryKnown',
      'libraryKnownEcdsa',
      'libraryDirect',
      'libraryDirectEcdsa',
      'libraryDirectKnown',
      'libraryDirectKnownEcdsa',
      'toProsody',
      'toProsodyKnown',
      'toProsodyDirect',
      'toProsodyDirectKnown',
      'prosody',
    ],
  },
  {
    keyType: 'ecdsa-p256',
    cases: [
      'toProsodyEcdsa',
      'toProsodyKnownEcdsa',
      'toProsodyDirectEcdsa',
      'toProsodyDirectKnownEcdsa',
      'prosodyEcdsa',
    ],
  },
]

/** The Prosody-to-Prosody case a row is compared with: the one with the same certificates. */
export const PROSODY_OF: Record<KeyType, CaseId> = { rsa: 'prosody', 'ecdsa-p256': 'prosodyEcdsa' }
