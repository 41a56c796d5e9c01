import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { quote } from './quote.js'

/** A checked name in normalised form, or why it is not one (phrased to follow the name). */
export type NameCheck = { ok: true; value: string } | { ok: false; problem: string }

const MAX_DOMAIN_LENGTH = 253
const MAX_LABEL_LENGTH = 63
// LDH labels (RFC 5890 §2.3.1), plus '_' which deployed XMPP service names use; the policy
// package accepts the same set, so every configured domain is one it can match.
const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/
// domainToASCII parses a URL host, so it silently cuts 'a/b' to 'a': reject URL syntax first.
const FORBIDDEN_ASCII = /[^A-Za-z0-9._\-\u0080-\uffff]/

/**
 * Validates a DNS domain name and returns it as lower-case A-labels (IDNA, via WHATWG URL
 * rules), the form XMPP routing and certificate checks compare (RFC 7622 §3.2).
 */
export function checkDomainName(input: string): NameCheck {
  if (input.length === 0) return { ok: false, problem: 'is empty' }
  const forbidden = FORBIDDEN_ASCII.exec(input)
  if (forbidden) return { ok: false, problem: `contains ${quote(forbidden[0])}` }
  if (isIP(input)) return { ok: false, problem: 'is an IP address, not a domain name' }
  // RFC 7622 §3.2: a final dot is stripped before the domain is compared or routed.
  const withoutFinalDot = input.endsWith('.') ? input.slice(0, -1) : input
  const ascii = domainToASCII(withoutFinalDot)
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
  // RFC 3696 §2: a top-level label is never all-numeric, so this is a mistyped address.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, problem: 'ends in a numeric label, which no DNS domain does' }
  }
  return { ok: true, value: ascii }
}

/** The normalised domain, or undefined when the input is not a valid domain name. */
export function normaliseDomainName(input: string): string | undefined {
  const check = checkDomainName(input)
  return check.ok ? check.value : undefined
}

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
