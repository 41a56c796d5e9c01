import { canonicalFederationSettings } from './canonical.js'
import type { FederationConfig } from './schema.js'
import { flattenSettings } from './settings-diff.js'

// Secret settings in reports that people read or store: enough of a fingerprint to tell two
// values apart, never the value.

const SHOWN_HEX_DIGITS = 12

/** Settings whose value is secret (`dialback.secret`, and any future `*.secret`). */
export function isSecretPath(path: string): boolean {
  return /(^|\.)secret$/i.test(path)
}

/**
 * Shortens the `sha256:<hex>` fingerprint of a secret (see secretFingerprint). A full sha256 of
 * a short secret could be brute-forced offline; twelve hex digits cannot be used that way.
 * Anything else — a secret not fingerprinted yet — is hidden entirely.
 */
export function maskSecret(value: unknown): unknown {
  if (value === undefined) return undefined
  const text = String(value)
  const hex = text.startsWith('sha256:') ? text.slice('sha256:'.length) : ''
  return hex ? `sha256:${hex.slice(0, SHOWN_HEX_DIGITS)}…` : '<secret>'
}

/**
 * The federation settings of a configuration, flattened to dotted paths (`security.tls`), with
 * every secret shortened by maskSecret: what a node may show or store about its configuration.
 * Two nodes with the same secret show the same masked value, so they still compare.
 */
export function maskedSettings(config: FederationConfig): Record<string, unknown> {
  const flat = flattenSettings(canonicalFederationSettings(config))
  return Object.fromEntries(
    [...flat].map(([path, value]) => [path, isSecretPath(path) ? maskSecret(value) : value]),
  )
}
