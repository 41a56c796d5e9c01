import type { S2SSession } from '@xmpp-federation/stream'

/** Stanzas exchanged with one remote domain since the federation started, over every stream it had. */
export interface DomainTotals {
  readonly remote: string
  readonly stanzasIn: number
  readonly stanzasOut: number
}

/**
 * Remote domains whose closed streams are remembered one by one; the traffic of any further
 * domain is added up under OTHER_DOMAINS, so a peer minting domain names cannot grow this
 * without bound.
 */
export const MAX_TOTALS_DOMAINS = 10_000
export const OTHER_DOMAINS = '*'

/**
 * Running stanza counts per remote domain that never go down: a stream's own counters die
 * with it, so when one closes its counts move into the domain's retired totals. A stream is
 * attributed to one remote domain (its first authenticated pair, as in the status rows), once
 * and for good, so its counts never change rows.
 */
export class TrafficTotals {
  private readonly live = new Map<S2SSession, string | undefined>()
  private readonly retired = new Map<string, { stanzasIn: number; stanzasOut: number }>()

  constructor(private readonly maxDomains = MAX_TOTALS_DOMAINS) {}

  /** Counts a stream from now until it closes; a stream tracked twice counts once. */
  track(session: S2SSession): void {
    if (this.live.has(session)) return
    this.live.set(session, undefined)
    session.once('closed', () => {
      const remote = this.remoteOf(session)
      this.live.delete(session)
      if (remote !== undefined) this.retire(remote, session.stats)
    })
  }

  /** Retired totals plus what the open streams counted so far, by remote domain. */
  snapshot(): DomainTotals[] {
    const sums = new Map<string, { stanzasIn: number; stanzasOut: number }>()
    for (const [remote, counts] of this.retired) sums.set(remote, { ...counts })
    for (const session of this.live.keys()) {
      const remote = this.remoteOf(session)
      if (remote === undefined) continue
      const sum = sums.get(remote) ?? { stanzasIn: 0, stanzasOut: 0 }
      sum.stanzasIn += session.stats.stanzasIn
      sum.stanzasOut += session.stats.stanzasOut
      sums.set(remote, sum)
    }
    return [...sums].map(([remote, counts]) => ({ remote, ...counts }))
  }

  /**
   * The remote domain a stream counts for, fixed once it has authenticated one. Never the
   * name a peer puts in its stream header: that is a claim, and stanzas flow only after
   * authentication anyway.
   */
  private remoteOf(session: S2SSession): string | undefined {
    const known = this.live.get(session)
    if (known !== undefined || !this.live.has(session)) return known
    const remote = session.authenticatedPairs[0]?.remote
    if (remote) this.live.set(session, remote)
    return remote
  }

  private retire(remote: string, stats: { stanzasIn: number; stanzasOut: number }): void {
    if (stats.stanzasIn === 0 && stats.stanzasOut === 0 && !this.retired.has(remote)) return
    const key = this.retired.has(remote) || this.retired.size < this.maxDomains ? remote : OTHER_DOMAINS
    const counts = this.retired.get(key) ?? { stanzasIn: 0, stanzasOut: 0 }
    counts.stanzasIn += stats.stanzasIn
    counts.stanzasOut += stats.stanzasOut
    this.retired.set(key, counts)
  }
}
