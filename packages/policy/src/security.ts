import type { SecuritySettings } from './types.js'

export type AuthMechanism = 'sasl-external' | 'dialback'

/**
 * The authentication methods to try or offer, strongest first. SASL EXTERNAL
 * (XEP-0178) needs TLS and a certificate, so it is never listed when TLS is off.
 * Dialback follows as the fallback; the dialback package's `tlsPolicy` still rules on each
 * stream (XEP-0344).
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
