import { canonicalAddress } from '@xmpp-federation/interface'

// Users and contacts are keyed by their canonical bare JID, so `Alice@A.test`
// and `alice@a.test` are one contact, whichever way the address arrived.

/** The canonical bare form of an address, or undefined when it is no JID. */
export function bareOf(address: string): string | undefined {
  return canonicalAddress(address)?.split('/')[0]
}

/** The canonical bare form of a user or contact given by the host; throws a TypeError when it is no JID. */
export function requireBare(address: string, what: string): string {
  const bare = bareOf(address)
  if (bare === undefined) throw new TypeError(`${what}: ${JSON.stringify(address)} is not an XMPP address`)
  return bare
}
