import { domainToASCII } from 'node:url'

/**
 * Domains are compared, routed and matched against certificates in one form:
 * lower-case A-labels (IDNA), no trailing dot. `@xmpp/jid` only lower-cases,
 * so every domain that enters the library passes through here first.
 */
export function normalizeDomain(input: string): string | undefined {
  const trimmed = input.endsWith('.') ? input.slice(0, -1) : input
  if (trimmed.length === 0 || trimmed.length > 253) return undefined
  // domainToASCII parses a URL host: 'a.test/x', 'a.test:1' or 'a%41.test' would
  // silently become another, valid domain. Such input is not a domain at all.
  if (URL_SYNTAX.test(trimmed)) return undefined
  // domainToASCII returns '' for anything that is not a valid host name.
  const ascii = domainToASCII(trimmed).toLowerCase()
  if (ascii === '' || ascii.length > 253) return undefined
  if (isIpLiteral(ascii)) return undefined
  for (const label of ascii.split('.')) {
    if (label.length === 0 || label.length > 63) return undefined
    if (!/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label)) return undefined
  }
  return ascii
}

/** Like normalizeDomain, but throws a TypeError naming the bad input. */
export function requireDomain(input: string, what = 'domain'): string {
  const domain = normalizeDomain(input)
  if (domain === undefined) throw new TypeError(`invalid ${what}: ${JSON.stringify(input)}`)
  return domain
}

/**
 * The domainpart of a JID (RFC 7622 §3.2): after the first '@', before the first '/'.
 * Returns undefined for an address whose domain is not a valid DNS name, so that
 * `a@b@c` or an empty domain can never be routed or authenticated.
 */
export function domainOfAddress(address: string): string | undefined {
  const slash = address.indexOf('/')
  const bare = slash === -1 ? address : address.slice(0, slash)
  const at = bare.indexOf('@')
  const domain = at === -1 ? bare : bare.slice(at + 1)
  if (domain.includes('@')) return undefined
  if (at === 0) return undefined
  return normalizeDomain(domain)
}

const URL_SYNTAX = /[\s\p{Cc}/?#\\%@:[\]<>'"&*]/u

function isIpLiteral(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')
}
