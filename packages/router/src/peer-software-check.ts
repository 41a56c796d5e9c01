import {
  createPeerSoftwareCache,
  type Decision,
  type DomainPolicy,
  NS_VERSION,
  type PeerSoftware,
  type PeerSoftwareCache,
  parsePeerSoftware,
} from '@xmpp-federation/policy'
import type { Element } from 'ltx'
import type { SharedPeerSoftwareCache } from './cluster-port.js'
import { xml } from './xml.js'

/** How the router asks a peer for its software version (XEP-0092) before trusting its stanzas. */
export interface PeerSoftwareOptions {
  /** How long to wait for the XEP-0092 answer; no answer counts as unknown software. Default 5 s. */
  readonly timeoutMs: number
  /** How long an answer is reused for a domain. Default 1 hour. */
  readonly cacheTtlMs: number
}

export const DEFAULT_PEER_SOFTWARE: PeerSoftwareOptions = { timeoutMs: 5_000, cacheTtlMs: 3_600_000 }

/**
 * Peer product/version rules (the seed's "no Cisco Unified Presence 7.x"):
 * once a stream to a domain authenticates, ask its server what it runs
 * (XEP-0092, sent to the bare domain) and let the policy decide. Asked once
 * per domain per TTL; concurrent first contacts share one query. Skipped
 * entirely when no rule could refuse anyone.
 */
export class PeerSoftwareCheck {
  private readonly cache: PeerSoftwareCache
  private readonly inFlight = new Map<string, Promise<PeerSoftware | undefined>>()

  constructor(
    private readonly policy: DomainPolicy,
    /** Writes the iq (on the stream being checked) and resolves with the answer. */
    private readonly request: (
      iq: Element,
      timeoutMs: number,
      write: (iq: Element) => void,
    ) => Promise<Element>,
    private readonly options: PeerSoftwareOptions,
    /** Whether the peer can dial back with its answer (we listen); a bidirectional stream needs not. */
    private readonly listening: boolean,
    /** Cluster mode: answers other nodes got (a failing store only means asking the peer). */
    private readonly shared?: SharedPeerSoftwareCache,
  ) {
    this.cache = createPeerSoftwareCache({ ttlMs: options.cacheTtlMs })
  }

  /** Whether any rule could refuse a peer: otherwise nobody is asked. */
  get enabled(): boolean {
    const { peerRules, unknownSoftware } = this.policy.input.policy
    return peerRules.some((rule) => rule.action === 'refuse') || unknownSoftware === 'refuse'
  }

  /** The cached verdict for a domain, if it was asked recently (used for inbound streams). */
  cached(remote: string): Decision | undefined {
    const hit = this.cache.get(remote, Date.now())
    return hit ? this.policy.checkPeerSoftware(remote, hit.value) : undefined
  }

  /**
   * `write` puts the query on the new stream itself: the link's queue waits for this verdict.
   * The answer comes back on the same stream when it is bidirectional (XEP-0288), else over
   * the peer's stream to our listener; with neither it could never arrive, and nobody is asked.
   */
  async check(
    local: string,
    remote: string,
    write: (iq: Element) => void,
    bidirectional: boolean,
  ): Promise<Decision> {
    if (!this.enabled) return { allowed: true, code: 'ALLOWED', reason: 'no peer software rules' }
    if (!this.listening && !bidirectional) {
      return { allowed: true, code: 'ALLOWED', reason: 'no way for the answer to reach us (no listener)' }
    }
    const hit = this.cache.get(remote, Date.now())
    const software = hit ? hit.value : await this.ask(local, remote, write)
    return this.policy.checkPeerSoftware(remote, software)
  }

  private ask(
    local: string,
    remote: string,
    write: (iq: Element) => void,
  ): Promise<PeerSoftware | undefined> {
    let pending = this.inFlight.get(remote)
    if (!pending) {
      pending = this.askShared(remote)
        .then((known) => (known ? known.value : this.query(local, remote, write)))
        .then((software) => {
          this.cache.set(remote, software, Date.now())
          this.inFlight.delete(remote)
          return software
        })
      this.inFlight.set(remote, pending)
    }
    return pending
  }

  /** What another node of the cluster learnt; a store that fails or lingers only means asking the peer. */
  private async askShared(remote: string): Promise<{ value: PeerSoftware | undefined } | undefined> {
    if (!this.shared) return undefined
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.timeoutMs)
    })
    try {
      return await Promise.race([this.shared.get(remote), late])
    } catch {
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }

  private async query(
    local: string,
    remote: string,
    write: (iq: Element) => void,
  ): Promise<PeerSoftware | undefined> {
    const iq = xml('iq', { type: 'get', from: local, to: remote }, xml('query', { xmlns: NS_VERSION }))
    const software = await this.request(iq, this.options.timeoutMs, write)
      .then((answer) => (answer.attrs.type === 'result' ? parsePeerSoftware(answer) : undefined))
      .catch(() => undefined)
    this.shared?.set(remote, software, this.options.cacheTtlMs)
    return software
  }
}
