import {
  canonicalFederationSettings,
  DEFAULT_CLUSTER,
  type FederationConfig,
  fingerprint,
  flattenSettings,
  type NodeSettings,
} from '@xmpp-federation/config'
import { isSecretPath, maskSecret } from './mask-secrets.js'

/**
 * The federation settings of a configuration, flattened to dotted paths (`security.tls`), with every
 * secret shortened by maskSecret: what a node may show about its configuration. Two nodes with the
 * same secret show the same masked value, so they still compare.
 */
export function maskedSettings(config: FederationConfig): Record<string, unknown> {
  const flat = flattenSettings(canonicalFederationSettings(config))
  return Object.fromEntries(
    [...flat].map(([path, value]) => [path, isSecretPath(path) ? maskSecret(value) : value]),
  )
}

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
