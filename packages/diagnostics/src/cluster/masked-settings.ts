import {
  DEFAULT_CLUSTER,
  type FederationConfig,
  fingerprint,
  maskedSettings,
  type NodeSettings,
} from '@xmpp-federation/config'

// The masked settings themselves are computed by the config package (the cluster records them too).
export { maskedSettings }

/** Which node a configuration describes, as the status document and the cluster comparison name it. */
export interface NodeIdentity {
  /** The config's `node` tag; null when it has none. */
  name: string | null
  cluster: string
  /** Whether federation is enabled on this node (`enabled`). */
  enabled: boolean
}

/** The `node` and `cluster` tags and `enabled` of a configuration. */
export function nodeIdentity(config: FederationConfig): NodeIdentity {
  return { name: config.node ?? null, cluster: config.cluster ?? DEFAULT_CLUSTER, enabled: config.enabled }
}

/** A configuration as compareNodeSettings takes it, secrets masked. */
export function nodeSettingsOf(config: FederationConfig, name: string): NodeSettings {
  const identity = nodeIdentity(config)
  return {
    name,
    cluster: identity.cluster,
    enabled: identity.enabled,
    fingerprint: fingerprint(config),
    settings: maskedSettings(config),
  }
}
