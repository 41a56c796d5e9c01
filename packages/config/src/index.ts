/**
 * @packageDocumentation
 * One typed configuration for an XMPP federation deployment, read alike by the router, the
 * policy and the diagnostics: a zod schema with defaults, JSON/YAML loading with readable
 * errors, the JSON Schema, and the comparison of configurations across nodes and clusters.
 *
 * @example
 * ```ts
 * import { loadConfigFile, compareClusters } from '@xmpp-federation/config'
 *
 * const config = await loadConfigFile('/etc/xmpp-federation/federation.yaml')
 * console.log(config.security.tls) // 'required' unless configured otherwise
 * ```
 */

export type { CanonicalSettings } from './canonical.js'
export {
  canonicalFederationSettings,
  fingerprint,
  NODE_LOCAL_SETTINGS,
  SET_SETTINGS,
  secretFingerprint,
} from './canonical.js'
export type {
  ClusterComparison,
  ClusterNode,
  ClusterProblem,
  ClusterProblemCode,
  ClusterSummary,
  NodeSettings,
  SettingDifference,
} from './cluster.js'
export { compareClusters, compareNodeSettings, DEFAULT_CLUSTER } from './cluster.js'
export { ConfigError } from './config-error.js'
export type { ConfigIssue, ConfigIssueCode } from './config-issue.js'
export { formatIssues } from './config-issue.js'
export { MIN_STANZA_BYTES } from './consistency.js'
export type { NameCheck } from './domain-name.js'
export { checkDomainName, checkDomainPattern, normaliseDomainName } from './domain-name.js'
export { federationConfigJsonSchema, JSON_SCHEMA_FILE } from './json-schema.js'
export type { LoadConfigFileOptions, ParseConfigOptions, SafeParseConfigResult } from './load.js'
export { loadConfigFile, parseConfig, safeParseConfig } from './load.js'
export { isSecretPath, maskedSettings, maskSecret } from './mask-secrets.js'
export type {
  DomainPolicy,
  EmailForFederationSettings,
  FederationConfig,
  FederationConfigInput,
  Limits,
  Listener,
  PeerRule,
  PolicySettings,
  RouteTarget,
  SecuritySettings,
  TlsMode,
} from './schema.js'
export { federationConfigSchema } from './schema.js'
export { differingPaths, type FlatSettings, flattenSettings, valueKey } from './settings-diff.js'
export { configWarnings } from './warnings.js'
