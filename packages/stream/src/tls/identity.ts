// Does this certificate speak for this XMPP server domain? RFC 9525 matching with the
// XMPP server rules of RFC 6120 §13.7.1.2 and XEP-0178. The chain is checked elsewhere
// (verify-chain.ts); a CA-valid certificate proves nothing until its names match.
import type { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'

/**
 * The names a certificate carries that can identify an XMPP server (RFC 9525, RFC 7712): DNS-IDs, SRV-IDs,
 * XmppAddrs.
 */
export interface CertificateIdentities {
  dnsNames: string[]
  srvNames: string[]
  xmppAddrs: string[]
}

// RFC 6120 §13.7.1.2.1 names `_xmpp-server`; XEP-0368 adds `_xmpps-server` for direct TLS.
// Any other service (`_xmpp-client`, `_imaps`) vouches for a different service: RFC 9525 §6.5.
const S2S_SERVICES: ReadonlySet<string> = new Set(['_xmpp-server', '_xmpps-server'])

// The URL standard's forbidden domain code points: C0 controls, space, DEL and delimiters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const URL_SYNTAX = /[\x00-\x20\x7f#%/:<>?@[\\\]^|]/

/** The identities a certificate presents in subjectAltName, as written there. Never the CN. */
export function certificateIdentities(cert: X509Certificate): CertificateIdentities {
  const identities: CertificateIdentities = { dnsNames: [], srvNames: [], xmppAddrs: [] }
  for (const { type, value } of subjectAltNameEntries(cert.subjectAltName ?? '')) {
    if (type === 'DNS') identities.dnsNames.push(value)
    if (type !== 'othername') continue
    // Node prints otherNames it knows as `othername:SRVName:<v>` and `othername:XmppAddr:<v>`.
    const colon = value.indexOf(':')
    const form = value.slice(0, colon)
    if (form === 'SRVName') identities.srvNames.push(value.slice(colon + 1))
    if (form === 'XmppAddr') identities.xmppAddrs.push(value.slice(colon + 1))
  }
  return identities
}

/**
 * True when a DNS-ID, an SRV-ID for an s2s service, or a bare-domain XmppAddr in the
 * certificate names `domain`. The subject CN is never consulted (RFC 9525 §1.3, §6.3).
 */
export function certificateNamesDomain(cert: X509Certificate, domain: string): boolean {
  return identitiesNameDomain(certificateIdentities(cert), domain)
}

/** certificateNamesDomain on identities read before (a stream keeps these, not the certificate). */
export function identitiesNameDomain(identities: CertificateIdentities, domain: string): boolean {
  const reference = referenceDomain(domain)
  if (reference === null) return false
  const { dnsNames, srvNames, xmppAddrs } = identities
  return (
    dnsNames.some((name) => dnsIdMatches(name, reference)) ||
    srvNames.some((name) => srvIdMatches(name, reference)) ||
    xmppAddrs.some((addr) => xmppAddrMatches(addr, reference))
  )
}

/** One presented DNS-ID against one domain, with RFC 9525 §6.3 wildcard rules. */
export function dnsIdMatchesDomain(presented: string, domain: string): boolean {
  const reference = referenceDomain(domain)
  return reference !== null && dnsIdMatches(presented, reference)
}

// RFC 9525 §6.3: compare A-labels case-insensitively. A wildcard counts only as the
// complete left-most label, alone, and stands for exactly one label. Any other `*` makes
// the identifier invalid, so it is ignored. Because partial wildcards (`a*`, `xn--*`) are
// invalid, the RFC 6125 §6.4.3 worry about wildcards inside A-labels cannot arise; a whole
// `*` may match an A-label such as `xn--bcher-kva`, as §6.3 allows.
function dnsIdMatches(presented: string, reference: string): boolean {
  const name = presentedName(presented)
  if (name === null) return false
  if (!name.includes('*')) return name === reference
  if (!name.startsWith('*.')) return false
  const base = name.slice(2)
  // Not in RFC 9525 (§7.1 leaves public suffixes out of scope), but `*.com`-style names
  // are never issued legitimately: demand two labels under the wildcard.
  if (!isHostname(base) || base.split('.').length < 2) return false
  const dot = reference.indexOf('.')
  return dot > 0 && reference.slice(dot + 1) === base
}

// RFC 4985 §2: `_Service.Name`; RFC 9525 §6.5: the service compares case-insensitively.
// Wildcards are not defined for SRV-IDs, so the name must equal the reference exactly.
function srvIdMatches(presented: string, reference: string): boolean {
  const name = presentedName(presented)
  if (name === null) return false
  const dot = name.indexOf('.')
  return dot > 0 && S2S_SERVICES.has(name.slice(0, dot)) && name.slice(dot + 1) === reference
}

// RFC 6120 §13.7.1.4: an XmppAddr is a UTF8String JID that may carry U-labels; for a
// server it is the bare domain. A local part or resource names something else.
function xmppAddrMatches(presented: string, reference: string): boolean {
  if (presented.includes('@') || presented.includes('/')) return false
  return referenceDomain(presented) === reference
}

/**
 * The reference identity in A-label form, or null when it is not a usable domain:
 * empty, an IP literal, or malformed. RFC 9525 §6.3 wants U-labels turned into A-labels.
 */
function referenceDomain(domain: string): string | null {
  const name = withoutTrailingDot(domain)
  // Node's domainToASCII parses a URL host: it cuts at `/ ? # \` (`a.test/x` gives
  // `a.test`), percent-decodes (`a%41` gives `aa`) and rewrites numeric hosts (`0x7f.1`
  // gives `127.0.0.1`). Refuse URL syntax and IP literals before it can.
  if (name === '' || URL_SYNTAX.test(name) || isIP(name) !== 0) return null
  const ascii = domainToASCII(name)
  return isHostname(ascii) ? ascii : null
}

// Certificate names are IA5String A-labels already (RFC 5280 §4.2.1.6); anything outside
// printable ASCII is not a DNS name. Lower-case only A-Z, so no Unicode case folding
// (the Kelvin sign K lowercases to k) can turn a foreign name into ours.
function presentedName(presented: string): string | null {
  if (!/^[\x21-\x7e]+$/.test(presented)) return null
  return withoutTrailingDot(presented).replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}

// RFC 1035 §2.3.1 letters-digits-hyphen labels, RFC 1123 §2.1 length rules; a final
// all-digit label would read as an IPv4 address.
function isHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false
  const labels = name.split('.')
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) return false
  return labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label))
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name
}

/**
 * Splits node's subjectAltName text (`DNS:a.test, othername:SRVName:_x.a.test`) into
 * entries. Since Node 17.3.1 (CVE-2021-44532) a value with a comma, quote, backslash
 * or control character follows its type as a JSON string: `DNS:"a\u002cb"`. Text that
 * does not parse ends the list: a lost name can only fail a match, never make one.
 */
function subjectAltNameEntries(text: string): { type: string; value: string }[] {
  const entries: { type: string; value: string }[] = []
  let position = 0
  while (position < text.length) {
    const colon = text.indexOf(':', position)
    if (colon < 0) break
    const type = text.slice(position, colon)
    const value = text[colon + 1] === '"' ? jsonStringAt(text, colon + 1) : plainValueAt(text, colon + 1)
    if (value === null) break
    entries.push({ type, value: value.text })
    if (value.end < text.length && !text.startsWith(', ', value.end)) break
    position = value.end + 2
  }
  return entries
}

function plainValueAt(text: string, start: number): { text: string; end: number } {
  const separator = text.indexOf(', ', start)
  const end = separator < 0 ? text.length : separator
  return { text: text.slice(start, end), end }
}

function jsonStringAt(text: string, start: number): { text: string; end: number } | null {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++
    else if (text[index] === '"') {
      try {
        return { text: JSON.parse(text.slice(start, index + 1)) as string, end: index + 1 }
      } catch {
        return null
      }
    }
  }
  return null
}
