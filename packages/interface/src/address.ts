import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { memoizeString } from './memo.js'

/**
 * What a domain and an XMPP address are, in one place: the config validates,
 * the policy matches, the stream routes and checks certificates against the
 * same normalised form, so a domain one accepts the others cannot reject.
 */

/** A value as a message quotes it: single quotes, unless it needs JSON escapes. */
function quote(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !value.includes("'") ? `'${value}'` : JSON.stringify(value)
}

/** A checked domain in normalised form, or why it is not one (phrased to follow the name). */
export type DomainCheck = { ok: true; value: string } | { ok: false; problem: string }

const MAX_DOMAIN_LENGTH = 253
const MAX_LABEL_LENGTH = 63
/** LDH labels (RFC 5890 §2.3.1), plus '_' which deployed XMPP service names use. */
const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/
/**
 * domainToASCII parses a URL host: it silently cuts 'a.test/evil' to 'a.test'
 * and decodes 'a%41.test' to 'aa.test'. Anything but letters, digits, '.', '_'
 * and '-' (or non-ASCII, for IDNs) is refused before it gets there.
 */
const FORBIDDEN_ASCII = /[^A-Za-z0-9._\-\u0080-\uffff]/
const CONTROL = /\p{Cc}/u

/**
 * Validates a DNS domain name and returns it as lower-case A-labels (IDNA),
 * without a final dot: the form XMPP routing and certificate checks compare
 * (RFC 7622 §3.2). IP literals are refused: federation is between DNS domains.
 */
export function checkDomain(input: string): DomainCheck {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, problem: 'is empty' }
  const forbidden = FORBIDDEN_ASCII.exec(input) ?? CONTROL.exec(input)
  if (forbidden) return { ok: false, problem: `contains ${quote(forbidden[0])}` }
  if (isIP(input)) return { ok: false, problem: 'is an IP address, not a domain name' }
  const withoutFinalDot = input.endsWith('.') ? input.slice(0, -1) : input
  const ascii = domainToASCII(withoutFinalDot).toLowerCase()
  if (ascii === '') return { ok: false, problem: 'is not a valid internationalised domain name (IDNA)' }
  if (ascii.length > MAX_DOMAIN_LENGTH)
    return { ok: false, problem: `is longer than ${MAX_DOMAIN_LENGTH} characters` }
  const labels = ascii.split('.')
  for (const label of labels) {
    if (label === '')
      return { ok: false, problem: 'has an empty label (two dots in a row, or a leading dot)' }
    if (label.length > MAX_LABEL_LENGTH) {
      return { ok: false, problem: `has a label longer than ${MAX_LABEL_LENGTH} characters` }
    }
    if (!LABEL.test(label)) {
      return {
        ok: false,
        problem: `has an invalid label ${quote(label)} (letters, digits, '_' and inner hyphens only)`,
      }
    }
  }
  // RFC 3696 §2: a top-level label is never all-numeric; '1.2.3' is a mistyped address.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, problem: 'ends in a numeric label, which no DNS domain does' }
  }
  return { ok: true, value: ascii }
}

/**
 * Every stanza's `from` and `to` are read on each side (stream checks, router,
 * policy), nearly always the same few names; IDNA and the label checks cost
 * microseconds, a map lookup does not.
 */
const MEMO = { generation: 4096, maxInputLength: 256 }

const normalizeString = memoizeString((input) => {
  const check = checkDomain(input)
  return check.ok ? check.value : undefined
}, MEMO)

/** The normalised domain, or undefined when the input is not a domain name. */
export function normalizeDomain(input: string): string | undefined {
  return typeof input === 'string' ? normalizeString(input) : undefined
}

/** Like normalizeDomain, but throws a TypeError naming the input and the problem. */
export function requireDomain(input: string, what = 'domain'): string {
  const check = checkDomain(input)
  if (!check.ok) throw new TypeError(`invalid ${what} ${JSON.stringify(input)}: ${check.problem}`)
  return check.value
}

/** The parts of a JID (RFC 7622 §3): `local@domain/resource`, local and resource optional. */
export interface AddressParts {
  readonly local: string | undefined
  /** Normalised domain. */
  readonly domain: string
  readonly resource: string | undefined
}

/**
 * Splits an address at the first '/' (resource), then at the first '@' before
 * it (RFC 7622 §3.1). Undefined when the domainpart is not a domain, or the
 * localpart is empty or holds a character RFC 7622 §3.3.1 forbids: `a@b@c` and
 * `@a.test` are never routed.
 */
export function parseAddress(address: string): AddressParts | undefined {
  if (typeof address !== 'string') return undefined
  const slash = address.indexOf('/')
  const bare = slash === -1 ? address : address.slice(0, slash)
  const resource = slash === -1 ? undefined : address.slice(slash + 1)
  if (resource === '') return undefined
  const at = bare.indexOf('@')
  // Width-mapped first (RFC 8265 §3.3.1): a full-width '＠' or '／' is the character it maps to.
  const local = at === -1 ? undefined : mapWidth(bare.slice(0, at))
  if (local !== undefined && !isValidLocalpart(local)) return undefined
  const domain = normalizeDomain(at === -1 ? bare : bare.slice(at + 1))
  if (domain === undefined) return undefined
  return { local, domain, resource }
}

/** Full-width and half-width forms (U+FF01–U+FFEF) become the characters they stand for. */
function mapWidth(text: string): string {
  return /[\uff01-\uffef]/.test(text) ? text.replace(/[\uff01-\uffef]/g, (c) => c.normalize('NFKC')) : text
}

/** RFC 7622 §3.3.1 forbids these in a localpart; emails may hold others (o'brien is not one of them). */
export function isValidLocalpart(local: string): boolean {
  return local.length > 0 && local.length <= 1023 && !/[\s"&'/:<>@\p{Cc}]/u.test(local)
}

/** The bare form used as a lookup key: localpart lower-cased (RFC 7622 UsernameCaseMapped), domain normalised. */
export function bareKey(parts: AddressParts): string {
  return parts.local === undefined ? parts.domain : `${parts.local.toLowerCase()}@${parts.domain}`
}

/** Non-ASCII spaces in a resource become U+0020 (RFC 8265 §4.2.1, OpaqueString). */
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g

/** An address in canonical form and its domain: what one parse of a stanza's `from` or `to` yields. */
export interface CanonicalForm {
  /** The whole address, canonical (see canonicalAddress). */
  readonly address: string
  /** Its domain, normalised (see domainOfAddress). */
  readonly domain: string
  /** `user@domain` as a user directory is asked (bareKey of its parts); undefined without a localpart. */
  readonly bare: string | undefined
}

/**
 * One memo for both questions asked of an address: a stanza's `from` and `to` cost one
 * lookup each where a canonical form and a domain were two (and each stage asked again).
 */
const canonicalFormOf = memoizeString((address): CanonicalForm | undefined => {
  const parts = parseAddress(address)
  if (!parts) return undefined
  const local = parts.local === undefined ? '' : `${parts.local.toLowerCase().normalize('NFC')}@`
  const resource =
    parts.resource === undefined ? '' : `/${parts.resource.replace(NON_ASCII_SPACE, ' ').normalize('NFC')}`
  const bare = parts.local === undefined ? undefined : bareKey(parts)
  // Frozen: the memo hands the same record to every caller.
  return Object.freeze({ address: `${local}${parts.domain}${resource}`, domain: parts.domain, bare })
}, MEMO)

/**
 * The canonical form of an address and its domain at once, or undefined when the address
 * is malformed: for a caller that needs both (the stream's check of an inbound stanza).
 */
export function canonicalForm(address: string): CanonicalForm | undefined {
  return typeof address === 'string' ? canonicalFormOf(address) : undefined
}

/**
 * The canonical form of an address (RFC 7622 §3): localpart width-mapped, lower-cased
 * and NFC (UsernameCaseMapped), domain as lower-case A-labels without a final dot,
 * resource NFC. `eve@EVIL.TEST.` and `eve@ｅｖｉｌ。ｔｅｓｔ` are both `eve@evil.test`:
 * what the host sees and what it compares. Undefined when the address is malformed.
 */
export function canonicalAddress(address: string): string | undefined {
  return typeof address === 'string' ? canonicalFormOf(address)?.address : undefined
}

/** The normalised domain of a JID, or undefined when the address is malformed. */
export function domainOfAddress(address: string): string | undefined {
  return typeof address === 'string' ? canonicalFormOf(address)?.domain : undefined
}
