import type { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { PeerCertificate } from '../session.js'
import { type CertificateIdentities, certificateIdentities, identitiesNameDomain } from './identity.js'
import { type ChainResult, peerChain, type TrustAnchors, verifyChain } from './verify-chain.js'

type ChainFailureCode = Extract<ChainResult, { ok: false }>['code']

/** What presentedCertificate needs: the handshake's socket and role, the chain it presented, our anchors. */
export interface PresentedCertificateSource {
  readonly socket: TLSSocket
  readonly role: 'client' | 'server'
  /** Leaf first, as read from the socket at the end of the handshake. */
  readonly presented: readonly X509Certificate[]
  readonly anchors: TrustAnchors
}

/**
 * What a stream keeps of the peer's certificate: the verdict of the path check, the names the
 * leaf carries, its subject, expiry and fingerprint. An inbound stream (the TLS server side, of
 * which a federation holds thousands) keeps no parsed certificate: with the DER copies the path
 * check leaves cached in them they cost about 2 KiB per stream (P4), and the server side of the
 * socket can read the peer's chain again for as long as it is open. A client socket cannot (Node
 * returns no peer certificate after the handshake), so outbound streams, one per remote domain,
 * keep theirs.
 */
class PresentedCertificate implements PeerCertificate {
  readonly subject: string
  readonly validTo: string
  readonly fingerprint256: string
  private readonly identities: CertificateIdentities
  private readonly verdict: { ok: true } | { ok: false; code: ChainFailureCode; message: string }
  /** When the chain was checked: `chain` checks again as of then, so it tells what the handshake saw. */
  private readonly checkedAt: Date
  /** The chain itself, kept only where the socket cannot give it again (client side). */
  private readonly kept: readonly X509Certificate[] | undefined

  constructor(
    private readonly socket: TLSSocket,
    role: 'client' | 'server',
    presented: readonly X509Certificate[],
    private readonly anchors: TrustAnchors,
  ) {
    const leaf = presented[0]!
    this.checkedAt = new Date()
    const result = verifyChain([...presented], anchors, { now: this.checkedAt })
    this.verdict = result.ok ? { ok: true } : { ok: false, code: result.code, message: result.message }
    this.identities = certificateIdentities(leaf)
    this.subject = leaf.subject
    this.validTo = leaf.validTo
    this.fingerprint256 = leaf.fingerprint256
    this.kept = role === 'client' ? presented : undefined
  }

  get trusted(): boolean {
    return this.verdict.ok
  }

  get presented(): readonly X509Certificate[] {
    if (this.kept) return this.kept
    return this.socket.destroyed ? [] : peerChain(this.socket)
  }

  get leaf(): X509Certificate {
    const [leaf] = this.presented
    if (!leaf) throw new Error('the stream is closed: the peer certificate went with its socket')
    return leaf
  }

  get chain(): ChainResult {
    const presented = this.presented
    // Once the socket is gone only the verdict remains, without the certificates it was about.
    if (presented.length === 0) return this.verdict.ok ? { ok: true, chain: [] } : { ...this.verdict }
    return verifyChain([...presented], this.anchors, { now: this.checkedAt })
  }

  validFor(domain: string): boolean {
    return this.verdict.ok && identitiesNameDomain(this.identities, domain)
  }
}

/** The PeerCertificate of a finished handshake. */
export function presentedCertificate(source: PresentedCertificateSource): PeerCertificate {
  return new PresentedCertificate(source.socket, source.role, source.presented, source.anchors)
}
