import { type ClusterComparison, isSecretPath, maskSecret } from '@xmpp-federation/config'

// The masking itself lives in the config package (the router's reload report masks too).
export { isSecretPath, maskSecret }

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
