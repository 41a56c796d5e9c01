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

/**
 * Builds the status document. `config` is read at every request (a reload replaces it); the
 * configuration part is computed again only when it is another configuration object.
 */
export function statusDocumentBuilder(
  status: () => FederationStatus,
  config: () => FederationConfig | undefined,
): () => StatusDocument {
  let described: FederationConfig | undefined
  let part: Pick<StatusDocument, 'configFingerprint' | 'settings' | 'node'> = {}
  return () => {
    const current = config()
    if (!current) return status()
    if (current !== described) {
      described = current
      part = {
        configFingerprint: fingerprint(current),
        settings: maskedSettings(current),
        node: nodeIdentity(current),
      }
    }
    return { ...status(), ...part }
  }
}
