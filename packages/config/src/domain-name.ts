import { isIP } from 'node:net'
import { checkDomain, type DomainCheck, normalizeDomain } from '@xmpp-federation/interface'

/** A checked name in normalised form, or why it is not one (phrased to follow the name). */
export type NameCheck = DomainCheck

/** Validates a DNS domain name and returns it as lower-case A-labels (the one rule: @xmpp-federation/interface). */
export const checkDomainName: (input: string) => NameCheck = checkDomain

/** The normalised domain, or undefined when the input is not a valid domain name. */
export const normaliseDomainName: (input: string) => string | undefined = normalizeDomain

const WILDCARD_PREFIX = '*.'

/** A domain or a "*.example.com" pattern matching every subdomain of example.com. */
export function checkDomainPattern(input: string): NameCheck {
  if (!input.startsWith(WILDCARD_PREFIX)) {
    if (input.includes('*')) return { ok: false, problem: "may use '*' only as a leading '*.' label" }
    return checkDomainName(input)
  }
  const parent = checkDomainName(input.slice(WILDCARD_PREFIX.length))
  return parent.ok ? { ok: true, value: WILDCARD_PREFIX + parent.value } : parent
}

/** A host to connect to or listen on: an IP address or a DNS name. */
export function checkHost(input: string): NameCheck {
  if (isIP(input)) return { ok: true, value: input }
  return checkDomainName(input)
}
