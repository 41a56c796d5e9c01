import { canonicalAddress } from '@xmpp-federation/interface'

// Users and contacts are keyed by their canonical bare JID, so `Alice@A.test`
// and `alice@a.test` are one contact, whichever way the address arrived.

/** The canonical bare form of an address, or undefined when it is no JID. */
export function bareOf(address: string): string | undefined {
  return canonicalAddress(address)?.split('/')[0]
}

/** The canonical bare form of a user or contact given by the host; throws a TypeError when it is no JID. */
export function requireBare(address: string, what: string): string {
  return requireCanonical(address, what).split('/')[0]!
}

/** The canonical form of an address given by the host, resource kept; throws a TypeError when it is no JID. */
export function requireCanonical(address: string, what: string): string {
  const canonical = canonicalAddress(address)
  if (canonical === undefined)
    throw new TypeError(`${what}: ${JSON.stringify(address)} is not an XMPP address`)
  return canonical
}
