/**
 * What P3 measures: each path (library → library with and without the XEP-0092 check,
 * library → Prosody, Prosody → Prosody) with one kind of certificate is a case, a row of the
 * table; and in which order, given that a Prosody pair presents one kind at a time.
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
  | 'toProsody'
  | 'toProsodyEcdsa'
  | 'prosody'
  | 'prosodyEcdsa'

export interface Case {
  readonly path: Path
  readonly keyType: KeyType
  readonly label: string
  /** The RSA case of the same path, for the ECDSA/RSA ratio. */
  readonly rsaTwin?: CaseId
}

export const CASES: Record<CaseId, Case> = {
  library: { path: 'library', keyType: 'rsa', label: 'library c.test → library d.test' },
  libraryEcdsa: {
    path: 'library',
    keyType: 'ecdsa-p256',
    label: '  same, ECDSA P-256 certificates',
    rsaTwin: 'library',
  },
  libraryNoCheck: {
    path: 'libraryNoCheck',
    keyType: 'rsa',
    label: '  same (RSA), peerRules: [] (no XEP-0092 check)',
  },
  toProsody: { path: 'toProsody', keyType: 'rsa', label: 'library c.test → Prosody b.test' },
  toProsodyEcdsa: {
    path: 'toProsody',
    keyType: 'ecdsa-p256',
    label: '  same, ECDSA P-256 certificates',
    rsaTwin: 'toProsody',
  },
  prosody: { path: 'prosody', keyType: 'rsa', label: 'Prosody a.test → Prosody b.test' },
  prosodyEcdsa: {
    path: 'prosody',
    keyType: 'ecdsa-p256',
    label: '  same, ECDSA P-256 certificates',
    rsaTwin: 'prosody',
  },
}
export const CASE_IDS = Object.keys(CASES) as CaseId[]

/**
 * A Prosody pair holds one certificate per domain, so the Prosody cases run in two phases, each
 * with its own pair. library → library needs no Prosody: its ECDSA case runs in the RSA phase,
 * in the same rounds as its RSA twin, which makes that ratio the steadier one.
 */
export const PHASES: readonly { keyType: KeyType; cases: readonly CaseId[] }[] = [
  { keyType: 'rsa', cases: ['library', 'libraryEcdsa', 'libraryNoCheck', 'toProsody', 'prosody'] },
  { keyType: 'ecdsa-p256', cases: ['toProsodyEcdsa', 'prosodyEcdsa'] },
]

/** The Prosody-to-Prosody case a row is compared with: the one with the same certificates. */
export const PROSODY_OF: Record<KeyType, CaseId> = { rsa: 'prosody', 'ecdsa-p256': 'prosodyEcdsa' }
