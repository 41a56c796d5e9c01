import type { AuthStream } from '@xmpp-federation/stream'

/** Whether dialback may authenticate a remote domain on a stream, and why not. */
export interface DialbackDecision {
  readonly allowed: boolean
  readonly reason?: string
  /** The dialback error sent when refused (XEP-0220 §2.5); default `policy-violation`. */
  readonly condition?: 'policy-violation' | 'not-authorized' | 'forbidden'
}

/**
 * Decides, per claim, whether dialback may authenticate `remoteDomain` on this stream; the default,
 * tlsPolicy, follows the security the host requires of that domain.
 */
export type DialbackPolicy = (remoteDomain: string, session: AuthStream) => DialbackDecision

/**
 * The default policy, from the security the host requires of the remote domain:
 * - dialback disabled for the domain (`security.dialback: false`): refused;
 * - TLS `required` and the stream is not encrypted: refused, `policy-violation` (§2.5);
 * - a valid certificate required and the peer's does not prove the domain: refused,
 *   `not-authorized` (§2.5). With a valid one, dialback needs no round trip (XEP-0344 §2.4);
 * - otherwise (`none`, `opportunistic`, or TLS with any certificate): allowed.
 *
 * This is the federation's only copy of the XEP-0344 rule; whether a valid certificate
 * also spares the round trip to the authoritative server is decided where the key is
 * verified (receiving.ts), at the time of the key.
 */
export const tlsPolicy: DialbackPolicy = (remoteDomain, session) => {
  const security = session.security(remoteDomain)
  if (security.dialback === false) {
    return {
      allowed: false,
      condition: 'policy-violation',
      reason: `dialback is disabled for ${remoteDomain}`,
    }
  }
  if (security.tls === 'required' && !session.tls) {
    return {
      allowed: false,
      condition: 'policy-violation',
      reason: `TLS is required with ${remoteDomain} and this stream is not encrypted`,
    }
  }
  if (security.requireValidCertificate && !session.tls?.peerCertificate?.validFor(remoteDomain)) {
    return {
      allowed: false,
      condition: 'not-authorized',
      reason: `a valid certificate for ${remoteDomain} is required and the peer did not present one`,
    }
  }
  return { allowed: true }
}
