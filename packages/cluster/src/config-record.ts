import {
  ConfigError,
  differingPaths,
  type FederationConfig,
  fingerprint,
  maskedSettings,
} from '@xmpp-federation/config'

// What the cluster records of its configuration, so that a node joining with different settings
// is refused with the paths that differ. Node-local settings (`enabled`, `listen`, `node`, TLS
// files...) are not part of canonicalFederationSettings, so neither of the fingerprint nor of the
// comparison: federation may be enabled on some nodes only.

/** The recorded form: fingerprint and flattened settings with every secret masked. */
export interface ConfigRecord {
  readonly fingerprint: string
  /** Dotted path → value (JSON), secrets shown as a short hash prefix only. */
  readonly settings: Record<string, unknown>
}

/** What a node records of (or compares with) the cluster's configuration. */
export function configRecord(config: FederationConfig): ConfigRecord {
  return { fingerprint: fingerprint(config), settings: maskedSettings(config) }
}

/** Throws a ConfigError naming each differing setting (secrets masked) when `mine` differs from `recorded`. */
export function assertSameConfig(mine: ConfigRecord, recorded: ConfigRecord, nodeId: string): void {
  if (mine.fingerprint === recorded.fingerprint) return
  const ours = new Map(Object.entries(mine.settings))
  const theirs = new Map(Object.entries(recorded.settings))
  const paths = differingPaths([ours, theirs])
  const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value))
  const issues = paths.map((path) => ({
    code: 'CONFLICT' as const,
    path,
    message: `node ${nodeId} has ${show(ours.get(path))}, the cluster ${show(theirs.get(path))}`,
    fix: 'give every node of the cluster the same federation settings (only node-local ones may differ)',
  }))
  // Same masked settings yet another fingerprint: two secrets sharing a hash prefix, practically never.
  if (issues.length === 0) {
    issues.push({
      code: 'CONFLICT',
      path: '',
      message: `node ${nodeId} has configuration fingerprint ${mine.fingerprint}, the cluster ${recorded.fingerprint}`,
      fix: 'give every node of the cluster the same federation settings',
    })
  }
  throw new ConfigError(issues)
}
