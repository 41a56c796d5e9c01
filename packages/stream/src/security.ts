import { createSecureContext, type SecureContext } from 'node:tls'
import type { TrustAnchors } from './tls/index.js'
import { S2S_SECURE_OPTIONS } from './tls-options.js'

/**
 * TLS modes, as Cisco IM&P names them: No TLS, SMART (opportunistic), TLS required.
 * - `none`: never negotiate TLS (peers that demand it cannot federate).
 * - `opportunistic`: use TLS when both sides can, fall back to clear text.
 * - `required`: no XML stanza ever travels in clear text.
 */
export type TlsMode = 'none' | 'opportunistic' | 'required'

/** How one remote domain must be secured; the host may vary it per domain. */
export interface SecurityPolicy {
  readonly tls: TlsMode
  /**
   * The peer's certificate must chain to a trust anchor and name the domain.
   * Outbound: otherwise the connection is closed before a stanza is sent.
   * Inbound: otherwise SASL EXTERNAL is not offered, and dialback refuses the
   * domain too (it must not stand in for a certificate the policy demands).
   */
  readonly requireValidCertificate: boolean
  /** SASL EXTERNAL offered to the peer (inbound) and used towards it (outbound); default both on. */
  readonly saslExternal?: { readonly inbound: boolean; readonly outbound: boolean }
  /** Server Dialback may authenticate the domain; default on. Read by the dialback mechanism. */
  readonly dialback?: boolean
}

/** A certificate and key for one or more local domains (PEM). */
export interface Credentials {
  readonly cert: string | Buffer
  readonly key: string | Buffer
}

/** What every stream of a deployment shares: its TLS identities and trust anchors. */
export interface TlsIdentity {
  readonly anchors: TrustAnchors
  /**
   * Secure context presenting the certificate for `localDomain`, or undefined when none is configured.
   * Built with `S2S_SECURE_OPTIONS`: a context's options apply to every socket that uses it.
   */
  contextFor(localDomain: string): SecureContext | undefined
}

/**
 * Builds the secure contexts once, at setup: creating one per connection
 * would re-parse the PEM for every stream.
 */
export function createTlsIdentity(options: {
  anchors: TrustAnchors
  /** local domain -> credentials; `*` is used for domains without their own entry. */
  credentials: Readonly<Record<string, Credentials>>
}): TlsIdentity {
  const contexts = new Map<string, SecureContext>()
  for (const [domain, credentials] of Object.entries(options.credentials)) {
    contexts.set(
      domain,
      createSecureContext({
        cert: credentials.cert,
        key: credentials.key,
        minVersion: 'TLSv1.2',
        secureOptions: S2S_SECURE_OPTIONS,
      }),
    )
  }
  return {
    anchors: options.anchors,
    contextFor: (localDomain) => contexts.get(localDomain) ?? contexts.get('*'),
  }
}
