import { type FederationConfig, fingerprint } from '@xmpp-federation/config'
import type { FederationStatus } from '@xmpp-federation/router'
import { maskedSettings, type NodeIdentity, nodeIdentity } from '../cluster/masked-settings.js'

/** What `GET <base>/status` answers: the federation status and which configuration it runs. */
export type StatusDocument = FederationStatus & {
  /**
   * sha256 of the canonical federation settings (`fingerprint()` of @xmpp-federation/config):
   * equal on two nodes exactly when they federate alike. Absent when the host did not give its
   * configuration.
   */
  readonly configFingerprint?: string
  /**
   * The settings behind the fingerprint, flattened to dotted paths (`security.tls`), secrets
   * shortened to `sha256:<12 hex>…` (never the secret itself): what `xmpp-federation diff URL URL`
   * compares. Absent when the host did not give its configuration.
   */
  readonly settings?: Readonly<Record<string, unknown>>
  /** This node's `node` and `cluster` tags and whether it federates; absent without a configuration. */
  readonly node?: NodeIdentity
}

/** Builds the status document; the configuration part is computed once, the configuration being fixed. */
export function statusDocumentBuilder(
  status: () => FederationStatus,
  config: FederationConfig | undefined,
): () => StatusDocument {
  if (!config) return status
  const fixed = {
    configFingerprint: fingerprint(config),
    settings: maskedSettings(config),
    node: nodeIdentity(config),
  }
  return () => ({ ...status(), ...fixed })
}
