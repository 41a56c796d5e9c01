import { type Allowed, allow, type Refused, refuse } from './decision.js'
import type { SecuritySettings } from './types.js'

/** What the stream knows about itself when dialback is about to run. */
export interface StreamSecurityFacts {
  /** TLS is up on this stream (STARTTLS or direct TLS). */
  tlsUsed: boolean
  /** The peer's certificate chains to a trust anchor AND names the remote domain (RFC 9525). */
  certificateValid: boolean
}

/** When allowed, says whether the XEP-0220 verify round trip is still needed. */
export type DialbackDecision = (Allowed & { readonly authoritativeCheckNeeded: boolean }) | Refused

/**
 * May XEP-0220 dialback authenticate `domain` on this stream? XEP-0344 rules:
 * - dialback disabled for the domain: no.
 * - the domain requires TLS and the stream has none: no. Dialback over clear text
 *   trusts DNS and an unprotected key exchange (XEP-0344 §3), weaker than required.
 * - the domain requires a valid certificate and it is not: no. Dialback must not stand
 *   in for a certificate the policy demands.
 * - otherwise yes; and when TLS carries a valid certificate naming the domain the
 *   identity is already proven, so the receiving server may answer without the
 *   round trip to the authoritative server ("dialback without dialback", XEP-0344 §2.4).
 */
export function decideDialback(
  domain: string,
  security: SecuritySettings,
  facts: StreamSecurityFacts,
): DialbackDecision {
  if (!security.dialback) {
    return refuse('DIALBACK_DISABLED', `dialback is disabled for ${domain}`)
  }
  if (!facts.tlsUsed && security.tls === 'required') {
    return refuse('TLS_REQUIRED', `${domain} requires TLS; dialback over a stream without TLS is refused`)
  }
  const certificateValid = facts.tlsUsed && facts.certificateValid
  if (security.requireValidCertificate && !certificateValid) {
    return refuse(
      'CERTIFICATE_REQUIRED',
      `${domain} requires a valid certificate naming the domain; dialback cannot replace it`,
    )
  }
  if (certificateValid) {
    return {
      ...allow(
        `the certificate names ${domain}: dialback without the authoritative round trip (XEP-0344 §2.4)`,
      ),
      authoritativeCheckNeeded: false,
    }
  }
  return {
    ...allow(`dialback allowed for ${domain}; verify the key with its authoritative server (XEP-0220)`),
    authoritativeCheckNeeded: true,
  }
}

export type AuthMechanism = 'sasl-external' | 'dialback'

/**
 * The authentication methods to try or offer, strongest first. SASL EXTERNAL
 * (XEP-0178) needs TLS and a certificate, so it is never listed when TLS is off.
 * Dialback follows as the fallback; decideDialback still rules on each stream.
 */
export function authMechanisms(
  security: SecuritySettings,
  direction: 'inbound' | 'outbound',
): AuthMechanism[] {
  const mechanisms: AuthMechanism[] = []
  if (security.tls !== 'none' && security.saslExternal[direction]) mechanisms.push('sasl-external')
  if (security.dialback) mechanisms.push('dialback')
  return mechanisms
}
