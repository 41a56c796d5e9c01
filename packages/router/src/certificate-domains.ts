import type { S2SSession } from '@xmpp-federation/stream'

/**
 * Counts the remote domains that inbound streams keep authenticated per peer
 * certificate. A wildcard certificate (or one naming hundreds of domains) would
 * otherwise let one peer hold a stream per name, each under the per-domain stream
 * limit and none under any other. Streams without a certificate are not counted:
 * the listener's connection limits bound them.
 */
export class CertificateDomains {
  /** Certificate fingerprint -> remote domain -> streams holding it. */
  private readonly byCertificate = new Map<string, Map<string, number>>()
  private readonly counted = new WeakMap<S2SSession, { fingerprint: string; domains: Set<string> }>()

  constructor(private maxDomains: number) {}

  /** A reload changed the limit: it applies to domains authenticated from now on. */
  setLimit(maxDomains: number): void {
    this.maxDomains = maxDomains
  }

  /** Records `remote` as authenticated on `session`; returns why not, once the certificate is at its limit. */
  add(session: S2SSession, remote: string): string | undefined {
    const fingerprint = session.tls?.peerCertificate?.fingerprint256
    if (fingerprint === undefined) return undefined
    let domains = this.byCertificate.get(fingerprint)
    if (!domains) {
      domains = new Map()
      this.byCertificate.set(fingerprint, domains)
    }
    if (!domains.has(remote) && domains.size >= this.maxDomains) {
      return `one certificate already holds ${domains.size} remote domains (limit ${this.maxDomains})`
    }
    let entry = this.counted.get(session)
    if (!entry) {
      entry = { fingerprint, domains: new Set() }
      this.counted.set(session, entry)
    }
    if (!entry.domains.has(remote)) {
      entry.domains.add(remote)
      domains.set(remote, (domains.get(remote) ?? 0) + 1)
    }
    return undefined
  }

  /** The stream closed: its domains no longer count. */
  remove(session: S2SSession): void {
    const entry = this.counted.get(session)
    if (!entry) return
    this.counted.delete(session)
    const domains = this.byCertificate.get(entry.fingerprint)
    if (!domains) return
    for (const remote of entry.domains) {
      const left = (domains.get(remote) ?? 1) - 1
      if (left > 0) domains.set(remote, left)
      else domains.delete(remote)
    }
    if (domains.size === 0) this.byCertificate.delete(entry.fingerprint)
  }

  /** Certificates currently counted (for status and tests). */
  get size(): number {
    return this.byCertificate.size
  }
}
