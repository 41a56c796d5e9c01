/**
 * Domains and addresses, as every package reads them (see @xmpp-federation/interface):
 * lower-case A-labels, no final dot, URL syntax and IP literals refused.
 */
import { domainOfAddress as parseDomainOfAddress } from '@xmpp-federation/interface'

export { normalizeDomain, parseAddress, requireDomain } from '@xmpp-federation/interface'

/** Addresses per generation of the memo below: two generations bound it to 2 × this many. */
const MEMO_GENERATION = 4096
/** Longer addresses (rare, and a hostile peer's way to fill memory) are not remembered. */
const MEMO_MAX_LENGTH = 256
let memo = new Map<string, string | null>()
let previous = new Map<string, string | null>()

/**
 * The normalised domain of a JID, or undefined when the address is malformed.
 *
 * Normalising (IDNA, label and IP-literal checks) costs microseconds, and every
 * stanza's `from` and `to` pass through here several times on each side (router,
 * stream, receiving checks), mostly the same few addresses. A bounded memo in
 * front makes that a map lookup: the recently used generation, then the one
 * before it (an approximate LRU that never scans).
 */
export function domainOfAddress(address: string): string | undefined {
  if (address.length > MEMO_MAX_LENGTH) return parseDomainOfAddress(address)
  let domain = memo.get(address)
  if (domain === undefined) {
    domain = previous.get(address)
    if (domain === undefined) domain = parseDomainOfAddress(address) ?? null
    if (memo.size >= MEMO_GENERATION) {
      previous = memo
      memo = new Map()
    }
    memo.set(address, domain)
  }
  return domain ?? undefined
}
