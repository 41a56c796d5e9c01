import { createHash } from 'node:crypto'
import type { FederationConfig } from './schema.js'
import { stableJson } from './stable-json.js'

/**
 * Settings that legitimately differ from node to node, so cluster comparison leaves them out.
 * Everything else in the configuration must be identical on every node of every cluster.
 */
export const NODE_LOCAL_SETTINGS = [
  '$schema',
  'cluster',
  'node',
  'enabled',
  'listen',
  'tls.cert',
  'tls.key',
  'tls.ca',
  'tls.certificates',
  'dns.servers',
  'http',
] as const

/** Lists whose order means nothing: compared sorted and without duplicates. */
export const SET_SETTINGS = [
  'domains',
  'policy.allow',
  'policy.deny',
  'policy.sipFederatedDomains',
  'policy.webexDomains',
  'emailForFederation.emailDomains',
] as const

/**
 * The federation settings of one node in canonical form (node-local settings left out, set-like lists
 * sorted), ready to fingerprint or compare.
 */
export type CanonicalSettings = Record<string, unknown>

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** How a secret appears in canonical settings and diffs: comparable, never readable. */
export function secretFingerprint(secret: string): string {
  return `sha256:${sha256(secret)}`
}

/**
 * The settings that must be identical across nodes and clusters, in one canonical form: node-local
 * settings removed, sets sorted and deduplicated, keys sorted, the dialback secret hashed.
 */
export function canonicalFederationSettings(config: FederationConfig): CanonicalSettings {
  // Removing (rather than picking) means a setting added later is compared unless declared node-local.
  const { $schema, cluster, node, enabled, listen, http, tls, dns, dialback, ...shared } = config
  const settings: CanonicalSettings = {
    ...structuredClone(shared),
    tls: { systemCa: tls.systemCa },
    dns: { timeoutMs: dns.timeoutMs },
    ...(dialback ? { dialback: { secret: secretFingerprint(dialback.secret) } } : {}),
  }
  for (const path of SET_SETTINGS) sortSetAt(settings, path.split('.'))
  return JSON.parse(stableJson(settings)) as CanonicalSettings
}

function sortSetAt(settings: CanonicalSettings, path: string[]): void {
  const parent = path
    .slice(0, -1)
    .reduce<Record<string, unknown> | undefined>(
      (object, key) => object?.[key] as Record<string, unknown> | undefined,
      settings,
    )
  const key = path[path.length - 1]!
  const list = parent?.[key]
  if (Array.isArray(list)) parent![key] = [...new Set(list as string[])].sort()
}

/** sha256 (hex) of the canonical settings: equal on two nodes exactly when they must federate alike. */
export function fingerprint(config: FederationConfig): string {
  return sha256(stableJson(canonicalFederationSettings(config)))
}
