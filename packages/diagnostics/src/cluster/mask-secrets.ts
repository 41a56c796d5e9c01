import type { ClusterComparison } from '@xmpp-federation/config'

const SHOWN_HEX_DIGITS = 12

/** Settings whose value is secret; the config package already replaces it with `sha256:<hex>`. */
export function isSecretPath(path: string): boolean {
  return /(^|\.)secret$/i.test(path)
}

/**
 * Shortens the fingerprint of a secret, enough to tell two values apart. A full sha256 of a
 * short secret could be brute-forced offline; twelve hex digits cannot be used that way.
 */
export function maskSecret(value: unknown): unknown {
  if (value === undefined) return undefined
  const text = String(value)
  const hex = text.startsWith('sha256:') ? text.slice('sha256:'.length) : ''
  return hex ? `sha256:${hex.slice(0, SHOWN_HEX_DIGITS)}…` : '<secret>'
}

/** The comparison with every secret value shortened by maskSecret, so a report can be shown or stored. */
export function maskSecrets(comparison: ClusterComparison): ClusterComparison {
  return {
    ...comparison,
    differences: comparison.differences.map((difference) =>
      isSecretPath(difference.path)
        ? {
            ...difference,
            values: difference.values.map((entry) => ({ ...entry, value: maskSecret(entry.value) })),
          }
        : difference,
    ),
  }
}
