/**
 * Domains and addresses, as every package reads them (see @xmpp-federation/interface):
 * lower-case A-labels, no final dot, URL syntax and IP literals refused. The lookups are
 * memoised there; an inbound stanza's addresses are read once (readStanzaAddresses).
 */

import { type CanonicalForm, canonicalAddress, canonicalForm } from '@xmpp-federation/interface'
import type { Element } from 'ltx'

export {
  type CanonicalForm,
  canonicalAddress,
  canonicalForm,
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

/** A stanza's `from` and `to`, each parsed once; undefined when missing or malformed. */
export interface StanzaAddresses {
  readonly from: CanonicalForm | undefined
  readonly to: CanonicalForm | undefined
}

/** Parses a stanza's `from` and `to` (canonical forms and domains in one step), without changing it. */
export function readStanzaAddresses(stanza: Element): StanzaAddresses {
  const { from, to } = stanza.attrs
  return {
    from: typeof from === 'string' ? canonicalForm(from) : undefined,
    to: typeof to === 'string' ? canonicalForm(to) : undefined,
  }
}
