import {
  checkPeerSoftware,
  createTtlCache,
  type Decision,
  type DomainPolicy,
  NS_VERSION,
  type PeerSoftware,
  parsePeerSoftware,
  type TtlCache,
} from '@xmpp-federation/policy'
import type { Element } from 'ltx'
import type { SharedPeerSoftwareCache } from './cluster-port.js'
import { xml } from './xml.js'

/** How the router asks a peer for its software version (XEP-0092) before trusting its stanzas. */
export interface PeerSoftwareOptions {
  /** How long to wait for the XEP-0092 answer; no answer counts as unknown software. Default 5 s. */
  readonly timeoutMs: number
  /** How long an answer is reused for a domain without asking again. Default 1 hour. */
  readonly cacheTtlMs: number
  /**
   * How long an answer stays known after it went stale. A new stream to a domain whose known
   * answer the current policy allows sends at once and asks again meanwhile (a refusal then
   * closes the stream); a domain never answered, or whose known answer the policy refuses,
   * waits for the new answer before anything is written. At most `cacheTtlMs` turns this off.
   * Default 24 hours.
   */
  readonly knownForMs: number
}

export const DEFAULT_PEER_SOFTWARE: PeerSoftwareOptions = {
  timeoutMs: 5_000,
  cacheTtlMs: 3_600_000,
  knownForMs: 86_400_000,
}

/** Prefetched shared answers kept for the admission that follows their dial. */
export const MAX_PREFETCHED = 1_024

/** An answer (or that the peer gave none) and when it was given. */
interface Answer {
  readonly software: PeerSoftware | undefined
  readonly answeredAt: number
}

/**
 * What admission decided: `decision` holds now. `recheck` is set when the peer was let through
 * on a stale answer it is known by: the verdict on the fresh answer, asked meanwhile.
 */
export interface PeerSoftwareVerdict {
  readonly decision: Decision
  readonly recheck?: Promise<Decision>
}

/**
 * Peer product/version rules (the seed's "no Cisco Unified Presence 7.x"):
 * once a stream to a domain authenticates, ask its server what it runs
 * (XEP-0092, sent to the bare domain) and let the policy decide. Asked once
 * per domain per TTL; concurrent first contacts share one query. Skipped
 * entirely when no rule could refuse anyone.
 */
export class PeerSoftwareCheck {
  /** Answers, kept for the known window; fresh for `cacheTtlMs` of it. */
  private readonly answers: TtlCache<string, Answer>
  private readonly inFlight = new Map<string, Promise<PeerSoftware | undefined>>()
  /**
   * Shared answers read since dial time, so that admission does not wait for the store; taken
   * by the admission that follows (or replaced by the next dial's once settled).
   */
  private readonly prefetched = new Map<string, { readonly done: Promise<void>; settled: boolean }>()

  /** How many prefetched answers wait for an admission (bounded by MAX_PREFETCHED). */
  get prefetchedCount(): number {
    return this.prefetched.size
  }

  constructor(
    private readonly policy: DomainPolicy,
    /** Writes the iq (on the stream being checked) and resolves with the answer. */
    private readonly request: (
      iq: Element,
      timeoutMs: number,
      write: (iq: Element) => void,
    ) => Promise<Element>,
    private readonly options: PeerSoftwareOptions,
    /** Whether the peer can dial back with its answer (we listen now); a bidirectional stream needs not. */
    private readonly listening: () => boolean,
    /** Cluster mode: answers other nodes got (a failing store only means asking the peer). */
    private readonly shared?: SharedPeerSoftwareCache,
    private readonly now: () => number = Date.now,
  ) {
    this.answers = createTtlCache({ ttlMs: Math.max(options.cacheTtlMs, options.knownForMs) })
  }

  /** Whether any rule could refuse a peer: otherwise nobody is asked. */
  get enabled(): boolean {
    const { peerRules, unknownSoftware } = this.policy.input.policy
    return peerRules.some((rule) => rule.action === 'refuse') || unknownSoftware === 'refuse'
  }

  /** The cached verdict for a domain, if it was asked recently (used for inbound streams). */
  cached(remote: string): Decision | undefined {
    const answer = this.fresh(remote)
    return answer ? this.policy.checkPeerSoftware(remote, answer.software) : undefined
  }

  /**
   * Called as the link dials: reads what the cluster knows of the domain while the stream
   * negotiates, so that the admission after authentication finds it here.
   */
  prefetch(remote: string): void {
    if (!this.shared || !this.enabled || this.fresh(remote)) return
    if (this.prefetched.get(remote)?.settled === false) return
    // A dial that never reaches admission (refused, unreachable) leaves its settled entry
    // behind; the domains dialled are many, so settled entries go once the map is full. Those
    // still reading are bounded by the dials in flight (each read gives up after timeoutMs).
    if (this.prefetched.size >= MAX_PREFETCHED) {
      for (const [domain, entry] of this.prefetched) if (entry.settled) this.prefetched.delete(domain)
    }
    const entry = {
      settled: false,
      done: this.askShared(remote).then((known) => {
        if (known) this.remember(remote, known)
        entry.settled = true
      }),
    }
    this.prefetched.set(remote, entry)
  }

  /**
   * `write` puts the query on the new stream itself: the link's queue waits for this verdict
   * unless the known-good rule lets it go (see `knownForMs`). The answer comes back on the same
   * stream when it is bidirectional (XEP-0288), else over the peer's stream to our listener;
   * with neither it could never arrive, and nobody is asked.
   */
  async check(
    local: string,
    remote: string,
    write: (iq: Element) => void,
    bidirectional: boolean,
  ): Promise<PeerSoftwareVerdict> {
    if (!this.enabled)
      return { decision: { allowed: true, code: 'ALLOWED', reason: 'no peer software rules' } }
    if (!this.listening() && !bidirectional) {
      return {
        decision: {
          allowed: true,
          code: 'ALLOWED',
          reason: 'no way for the answer to reach us (no listener)',
        },
      }
    }
    const prefetched = this.prefetched.get(remote)
    this.prefetched.delete(remote)
    await prefetched?.done
    let known = this.answers.get(remote, this.now())?.value
    if (!known && !prefetched && this.shared) {
      // Nothing prefetched (e.g. a stream the peer opened): the cluster may know the domain.
      const shared = await this.askShared(remote)
      if (shared) known = this.remember(remote, shared)
    }
    if (known && this.isFresh(known))
      return { decision: this.policy.checkPeerSoftware(remote, known.software) }
    // Known-good: the answer the domain gave lately passes the rules as they are now.
    if (known && checkPeerSoftware(remote, known.software, this.policy.input.policy).allowed) {
      const recheck = this.ask(local, remote, write).then((software) =>
        this.policy.checkPeerSoftware(remote, software),
      )
      return { decision: this.policy.checkPeerSoftware(remote, known.software), recheck }
    }
    // Never answered, or refused by what it said: nothing is written before the verdict.
    return { decision: this.policy.checkPeerSoftware(remote, await this.ask(local, remote, write)) }
  }

  private fresh(remote: string): Answer | undefined {
    const answer = this.answers.get(remote, this.now())?.value
    return answer && this.isFresh(answer) ? answer : undefined
  }

  private isFresh(answer: Answer): boolean {
    return this.now() - answer.answeredAt < this.options.cacheTtlMs
  }

  private remember(remote: string, answer: Answer): Answer {
    // A clock that differs between nodes must not make an answer look newer than it is.
    const at = Math.min(answer.answeredAt, this.now())
    const current = this.answers.get(remote, this.now())?.value
    if (current && current.answeredAt >= at) return current
    const kept = { software: answer.software, answeredAt: at }
    this.answers.set(remote, kept, at)
    return kept
  }

  private ask(
    local: string,
    remote: string,
    write: (iq: Element) => void,
  ): Promise<PeerSoftware | undefined> {
    let pending = this.inFlight.get(remote)
    if (!pending) {
      pending = this.query(local, remote, write).then((software) => {
        this.remember(remote, { software, answeredAt: this.now() })
        this.inFlight.delete(remote)
        return software
      })
      this.inFlight.set(remote, pending)
    }
    return pending
  }

  /** What another node of the cluster learnt; a store that fails or lingers only means asking the peer. */
  private async askShared(remote: string): Promise<Answer | undefined> {
    if (!this.shared) return undefined
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.timeoutMs)
    })
    try {
      const known = await Promise.race([this.shared.get(remote), late])
      // An entry without its time (written before answers carried one) counts as fresh.
      return known && { software: known.value, answeredAt: known.answeredAt ?? this.now() }
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
    this.shared?.set(remote, software, Math.max(this.options.cacheTtlMs, this.options.knownForMs), this.now())
    return software
  }
}
