import { domainToASCII } from 'node:url'

/**
 * URL syntax that `domainToASCII` would quietly cut off ('a.test/evil' -> 'a.test')
 * or decode ('a%41.test' -> 'aa.test'): a domain carrying any of it is malformed.
 */
const URL_SYNTAX = /[\s/\\?#@:%[\]<>"'`^{}|\p{Cc}]/u

/** LDH labels (RFC 5890 §2.3.1), plus '_' which deployed XMPP service names use. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/

/**
 * The one form in which domains are compared: lower-case A-labels (IDNA, via
 * WHATWG `domainToASCII`), no trailing dot. Returns undefined for anything that is
 * not a DNS domain name, including IP literals, so a malformed domain never matches
 * a list entry by accident.
 */
export function normalizeDomain(input: string): string | undefined {
  if (typeof input !== 'string' || URL_SYNTAX.test(input)) return undefined
  const withoutRootDot = input.endsWith('.') ? input.slice(0, -1) : input
  if (withoutRootDot.length === 0) return undefined
  const ascii = domainToASCII(withoutRootDot).toLowerCase()
  if (ascii.length === 0 || ascii.length > 253) return undefined
  if (/^[0-9.]+$/.test(ascii)) return undefined
  return ascii.split('.').every((label) => label.length <= 63 && LABEL.test(label)) ? ascii : undefined
}

/** The parts of a JID (RFC 7622 §3): `local@domain/resource`, local and resource optional. */
export interface AddressParts {
  readonly local: string | undefined
  /** Normalized domain. */
  readonly domain: string
  readonly resource: string | undefined
}

/**
 * Splits an address at the first '/' (resource), then at the first '@' before it (RFC 7622
 * §3.1). Returns undefined when the domainpart is not a valid domain, or when the
 * localpart is empty or contains a character RFC 7622 §3.3.1 forbids.
 */
export function parseAddress(address: string): AddressParts | undefined {
  const slash = address.indexOf('/')
  const bare = slash === -1 ? address : address.slice(0, slash)
  const resource = slash === -1 ? undefined : address.slice(slash + 1)
  if (resource === '') return undefined
  const at = bare.indexOf('@')
  const local = at === -1 ? undefined : bare.slice(0, at)
  if (local !== undefined && !isValidLocalpart(local)) return undefined
  const domain = normalizeDomain(at === -1 ? bare : bare.slice(at + 1))
  if (domain === undefined) return undefined
  return { local, domain, resource }
}

/** RFC 7622 §3.3.1 forbids these in a localpart; emails may contain some of them (o'brien). */
export function isValidLocalpart(local: string): boolean {
  return local.length > 0 && local.length <= 1023 && !/[\s"&'/:<>@\p{Cc}]/u.test(local)
}

/**
 * The bare form used as a lookup key: localpart lower-cased (RFC 7622's
 * UsernameCaseMapped profile maps case), domain normalized.
 */
export function bareKey(parts: AddressParts): string {
  return parts.local === undefined ? parts.domain : `${parts.local.toLowerCase()}@${parts.domain}`
}

/** The domain of a JID, normalized, or undefined when the address is malformed. */
export function domainOfAddress(address: string): string | undefined {
  return parseAddress(address)?.domain
}
