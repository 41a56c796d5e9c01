import { type FederationConfig, fingerprint } from '@xmpp-federation/config'
import type { FederationStatus } from '@xmpp-federation/router'

/** What `GET <base>/status` answers: the federation status and which configuration it runs. */
export type StatusDocument = FederationStatus & {
  /**
   * sha256 of the canonical federation settings (`fingerprint()` of @xmpp-federation/config):
   * equal on two nodes exactly when they federate alike. The settings themselves, secrets
   * included, never leave the host. Absent when the host did not give its configuration.
   */
  readonly configFingerprint?: string
}

/** Builds the status document; the fingerprint is computed once, the configuration being fixed. */
export function statusDocumentBuilder(
  status: () => FederationStatus,
  config: FederationConfig | undefined,
): () => StatusDocument {
  const configFingerprint = config && fingerprint(config)
  return () => (configFingerprint ? { ...status(), configFingerprint } : status())
}
