/**
 * Domains and addresses, as every package reads them (see @xmpp-federation/interface):
 * lower-case A-labels, no final dot, URL syntax and IP literals refused. Both
 * lookups are memoised there: they run several times per stanza.
 */

import { canonicalAddress } from '@xmpp-federation/interface'
import type { Element } from 'ltx'

export {
  canonicalAddress,
  domainOfAddress,
  normalizeDomain,
  parseAddress,
  requireDomain,
} from '@xmpp-federation/interface'

/**
 * Rewrites a stanza's `from` and `to` in canonical form (RFC 7622 §3.2), so that
 * `eve@EVIL.TEST.` is the same address as `eve@evil.test` wherever it is compared:
 * by the host, the policy, or the domain's own services. Malformed ones stay as
 * they are, for the caller's checks to refuse.
 */
export function canonicalizeAddresses(stanza: Element): void {
  const { from, to } = stanza.attrs
  if (from !== undefined) stanza.attrs.from = canonicalAddress(from) ?? from
  if (to !== undefined) stanza.attrs.to = canonicalAddress(to) ?? to
}
