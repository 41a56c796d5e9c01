// Our own certificate path check for s2s peers. OpenSSL's check, as Node exposes it on a
// server socket, applies the TLS-client purpose to the peer's certificate: a leaf with only
// the serverAuth EKU (what Let's Encrypt issues since 2025) fails there although s2s peers
// are servers in both directions, and OpenSSL reports only its first error. Here either EKU
// is enough, and the error names the certificate and the reason.
//
// Checked: signatures, issuer names and key identifiers (checkIssued), CA flags, validity
// periods, leaf EKU. Not checked: revocation (no CRL or OCSP fetching), name constraints,
// path length constraints and certificate policies, which Node does not expose.
import { X509Certificate } from 'node:crypto'
import { rootCertificates, type TLSSocket } from 'node:tls'

/** The certificates a peer's chain must end at. */
export interface TrustAnchors {
  readonly certificates: readonly X509Certificate[]
}

/** Where trust anchors come from: given CAs, Node's bundled roots, or both. */
export interface TrustAnchorOptions {
  /** PEM text (several certificates per entry allowed) or DER bytes */
  ca?: (string | Buffer)[]
  /** add Node's bundled Mozilla roots (tls.rootCertificates) */
  system?: boolean
}

/** Why a peer's certificate chain was rejected. */
export type ChainErrorCode =
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_UNTRUSTED'
  | 'CERT_SIGNATURE_INVALID'
  | 'CERT_ISSUER_NOT_CA'
  | 'CERT_PURPOSE_INVALID'
  | 'CERT_MISSING'
  | 'CHAIN_TOO_LONG'

/** A rejected chain: the code, a message naming the reason, and the certificate at fault when one is. */
export type ChainFailure = { ok: false; code: ChainErrorCode; message: string; certificate?: X509Certificate }

/** The outcome of the path check: the chain from leaf to anchor, or why there is none. */
export type ChainResult = { ok: true; chain: X509Certificate[] /* leaf..anchor */ } | ChainFailure

/** Options of the path check, mostly for tests: the time to check validity at, and the depth bound. */
export interface VerifyChainOptions {
  now?: Date
  /** how many issuers may stand above the leaf, the anchor included (OpenSSL's verify depth); default 8 */
  maxDepth?: number
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0'
// An s2s peer authenticates as a server whichever side opened the TCP connection.
const S2S_PURPOSES: ReadonlySet<string> = new Set([SERVER_AUTH, CLIENT_AUTH, ANY_EXTENDED_KEY_USAGE])

/**
 * Parses the given CA certificates (PEM or DER) and adds Node's bundled roots when asked; throws naming the
 * entry that does not parse.
 */
export function createTrustAnchors(options: TrustAnchorOptions): TrustAnchors {
  const sources = [...(options.ca ?? []), ...(options.system ? rootCertificates : [])]
  const certificates: X509Certificate[] = []
  sources.forEach((source, index) => {
    for (const cert of parseCertificates(source, index)) {
      if (!certificates.some((known) => known.raw.equals(cert.raw))) certificates.push(cert)
    }
  })
  return { certificates: Object.freeze(certificates) }
}

/**
 * Finds a path from the leaf (`presented[0]`) through the other presented certificates to
 * a trust anchor. The presented list may be out of order or carry extras, as real peers' chains often do.
 */
export function verifyChain(
  presented: X509Certificate[],
  anchors: TrustAnchors,
  options: VerifyChainOptions = {},
): ChainResult {
  const leaf = presented[0]
  if (leaf === undefined) return failure('CERT_MISSING', 'the peer presented no certificate')
  const now = options.now ?? new Date()
  // The leaf's own faults come first: they are the answer whatever the chain looks like.
  const leafFault = validityFault(leaf, now, 'certificate') ?? purposeFault(leaf)
  if (leafFault) return leafFault
  const search: PathSearch = {
    anchors: anchors.certificates,
    pool: [...anchors.certificates, ...presented.slice(1)],
    expanded: [],
    now,
    maxDepth: options.maxDepth ?? 8,
  }
  return extendPath([leaf], search)
}

interface PathSearch {
  readonly anchors: readonly X509Certificate[]
  /** anchors first, so a path ends as soon as it can */
  readonly pool: readonly X509Certificate[]
  /** each certificate is expanded at most once: no loops, and work bounded by the pool size */
  readonly expanded: X509Certificate[]
  readonly now: Date
  readonly maxDepth: number
}

function extendPath(chain: X509Certificate[], search: PathSearch): ChainResult {
  const current = chain.at(-1)!
  // A configured anchor ends the path, whether a root, an intermediate or a pinned leaf.
  if (contains(search.anchors, current)) return { ok: true, chain }
  search.expanded.push(current)
  // Node's direction: child.checkIssued(issuer) compares names, key identifiers and keyUsage.
  const issuers = search.pool.filter((cert) => !contains(search.expanded, cert) && current.checkIssued(cert))
  if (issuers.length === 0) return untrusted(current)
  let best: ChainFailure | undefined
  for (const issuer of issuers) {
    const issuerCount = chain.length // above the leaf, once this issuer joins
    const result = issuerFault(current, issuer, issuerCount, search) ?? extendPath([...chain, issuer], search)
    if (result.ok) return result
    best = moreTelling(best, result)
  }
  return best!
}

function issuerFault(
  child: X509Certificate,
  issuer: X509Certificate,
  issuerCount: number,
  search: PathSearch,
): ChainFailure | null {
  if (!child.verify(issuer.publicKey)) {
    return failure(
      'CERT_SIGNATURE_INVALID',
      `signature of ${describe(child)} does not verify with ${describe(issuer)}`,
      child,
    )
  }
  if (!issuer.ca) {
    return failure('CERT_ISSUER_NOT_CA', `${describe(issuer)} signed a certificate but is not a CA`, issuer)
  }
  if (issuerCount > search.maxDepth) {
    return failure('CHAIN_TOO_LONG', `no trust anchor within ${search.maxDepth} issuers of the leaf`, issuer)
  }
  return validityFault(issuer, search.now, 'issuer')
}

// A specific fault on some candidate path tells the operator more than "no anchor found".
function moreTelling(best: ChainFailure | undefined, next: ChainFailure): ChainFailure {
  if (best === undefined) return next
  return best.code === 'CERT_UNTRUSTED' && next.code !== 'CERT_UNTRUSTED' ? next : best
}

function untrusted(cert: X509Certificate): ChainFailure {
  const message =
    cert.issuer === cert.subject
      ? `${describe(cert)} is self-signed and not a trust anchor`
      : `no trusted issuer found for ${describe(cert)} (issuer ${oneLine(cert.issuer)})`
  return failure('CERT_UNTRUSTED', message, cert)
}

function validityFault(cert: X509Certificate, now: Date, role: string): ChainFailure | null {
  const notBefore = new Date(cert.validFrom)
  const notAfter = new Date(cert.validTo)
  // An unreadable date fails closed: NaN compares false, so test for validity explicitly.
  if (!(notBefore.getTime() <= now.getTime())) {
    return failure(
      'CERT_NOT_YET_VALID',
      `${role} ${describe(cert)} is not valid before ${cert.validFrom}`,
      cert,
    )
  }
  if (!(now.getTime() <= notAfter.getTime())) {
    return failure('CERT_EXPIRED', `${role} ${describe(cert)} expired ${cert.validTo}`, cert)
  }
  return null
}

// Node's `keyUsage` is the extended key usage OID list, undefined when the extension is
// absent; an absent EKU restricts nothing (RFC 5280 §4.2.1.12).
function purposeFault(leaf: X509Certificate): ChainFailure | null {
  const usages = leaf.keyUsage
  if (usages === undefined || usages.some((oid) => S2S_PURPOSES.has(oid))) return null
  return failure(
    'CERT_PURPOSE_INVALID',
    `${describe(leaf)} allows neither serverAuth nor clientAuth (extended key usage ${usages.join(', ')})`,
    leaf,
  )
}

/**
 * The peer's certificates from a connected TLSSocket, leaf first. Node links them by issuer,
 * so unrelated extras the peer sent are gone and its own CA store may supply the top.
 * Read as native X509Certificate objects: getPeerCertificate(true) builds a legacy object per
 * certificate (fingerprints included) that we would only turn back into X509Certificates,
 * about 0.4 ms per handshake on the cold path.
 */
export function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = []
  // A self-signed root links to itself.
  for (
    let cert = socket.getPeerX509Certificate();
    cert && !contains(chain, cert);
    cert = cert.issuerCertificate
  ) {
    chain.push(cert)
  }
  return chain
}

function parseCertificates(source: string | Buffer, index: number): X509Certificate[] {
  const text = typeof source === 'string' ? source : source.toString('latin1')
  if (typeof source !== 'string' && !text.includes('-----BEGIN')) {
    try {
      return [new X509Certificate(source)] // DER bytes
    } catch (cause) {
      throw new TypeError(`trust anchor source #${index} is not a DER certificate`, { cause })
    }
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0) throw new TypeError(`trust anchor source #${index} holds no PEM certificate`)
  return blocks.map((block) => new X509Certificate(block))
}

function contains(list: readonly X509Certificate[], cert: X509Certificate): boolean {
  return list.some((known) => known === cert || known.raw.equals(cert.raw))
}

function describe(cert: X509Certificate): string {
  return `"${oneLine(cert.subject) || cert.subjectAltName || 'no subject'}" (serial ${cert.serialNumber})`
}

function oneLine(name: string | undefined): string {
  return (name ?? '').split('\n').join(', ')
}

function failure(code: ChainErrorCode, message: string, certificate?: X509Certificate): ChainFailure {
  return certificate ? { ok: false, code, message, certificate } : { ok: false, code, message }
}
