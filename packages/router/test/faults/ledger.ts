import type { Element } from 'ltx'
import type { BounceEvent, DeliveryError, Federation } from '../../src/index.js'

/**
 * Every stanza a fault-injection test sends, and what became of it, judged by
 * what the receiving host really saw:
 * - delivered: the peer's host got it (more than once: duplicates);
 * - bounced: the sender was told, by a rejected send(), by a `bounce` event
 *   after send() had resolved (a stanza resent after a broken link, XEP-0198,
 *   that then failed), or by an error stanza the peer sent back;
 * - written but unconfirmed: send() resolved, nobody bounced it, and the peer
 *   never got it: lost in flight, and nobody knows;
 * - unaccounted: a send() that never settled. Must be 0.
 */
export interface Accounting {
  sent: number
  delivered: number
  bounced: number
  writtenUnconfirmed: number
  unaccounted: number
  duplicates: number
  /** Stanzas the router sent again over a new stream (XEP-0198 `resend` events). */
  resent: number
  /** Bounced, yet the peer had it (an ack lost with the link): the sender was told a failure that was not. */
  bouncedButDelivered: number
  /** A rejected send() without exactly one bounce event, or more than one bounce event for a stanza. Must be 0. */
  bounceMismatches: number
  /** Bounces by RFC 6120 condition. */
  conditions: Record<string, number>
}

interface Record_ {
  promise: 'pending' | 'resolved' | { condition: string }
  bounces: string[]
  received: number
  /** Conditions of error stanzas the peer returned for it. */
  returned: string[]
}

export class Ledger {
  private readonly records = new Map<string, Record_>()
  private resent = 0
  private readonly onBounce = (event: BounceEvent) => {
    const record = this.records.get(event.stanza.attrs.id ?? '')
    if (event.direction === 'outbound' && record) record.bounces.push(event.condition)
  }
  private readonly onResend = (event: { count: number }) => {
    this.resent += event.count
  }

  constructor(private readonly federation: Federation) {
    federation.on('bounce', this.onBounce)
    federation.on('resend', this.onResend)
  }

  /** Sends through the federation and records how the promise settles. */
  send(stanza: Element): void {
    const record: Record_ = { promise: 'pending', bounces: [], received: 0, returned: [] }
    this.records.set(stanza.attrs.id!, record)
    this.federation.send(stanza).then(
      () => {
        record.promise = 'resolved'
      },
      (error: DeliveryError) => {
        record.promise = { condition: error.condition }
      },
    )
  }

  /** The peer's host saw this stanza id. */
  deliver(id: string | undefined): void {
    const record = this.records.get(id ?? '')
    if (record) record.received++
  }

  /** An error stanza for this id came back from the peer (it refused the stanza). */
  returnedError(stanza: Element): void {
    const record = this.records.get(stanza.attrs.id ?? '')
    const condition = stanza.getChild('error')?.getChildElements()[0]?.name ?? 'undefined-condition'
    if (record && stanza.attrs.type === 'error') record.returned.push(`peer:${condition}`)
  }

  get pending(): number {
    return [...this.records.values()].filter((r) => r.promise === 'pending').length
  }

  /** Waits until every send() so far settled (at most `timeoutMs`) and things went quiet. */
  async quiet(timeoutMs: number, quietMs = 500): Promise<void> {
    for (const started = Date.now(); this.pending > 0 && Date.now() - started < timeoutMs; ) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await new Promise((resolve) => setTimeout(resolve, quietMs)) // late deliveries, resends and bounce events
  }

  /** `quiet()`, then stops listening and counts. */
  async settle(timeoutMs: number, quietMs = 500): Promise<Accounting> {
    await this.quiet(timeoutMs, quietMs)
    this.federation.off('bounce', this.onBounce)
    this.federation.off('resend', this.onResend)
    return this.count()
  }

  count(): Accounting {
    const a: Accounting = {
      sent: this.records.size,
      delivered: 0,
      bounced: 0,
      writtenUnconfirmed: 0,
      unaccounted: 0,
      duplicates: 0,
      resent: this.resent,
      bouncedButDelivered: 0,
      bounceMismatches: 0,
      conditions: {},
    }
    for (const r of this.records.values()) {
      a.duplicates += Math.max(0, r.received - 1)
      const rejected = typeof r.promise === 'object'
      if (r.bounces.length > 1 || (rejected && r.bounces.length !== 1)) a.bounceMismatches++
      const condition = rejected
        ? (r.promise as { condition: string }).condition
        : (r.bounces[0] ?? r.returned[0])
      if (r.promise === 'pending') a.unaccounted++
      else if (r.received > 0) {
        a.delivered++
        if (condition !== undefined) a.bouncedButDelivered++
      } else if (condition !== undefined) {
        a.bounced++
        a.conditions[condition] = (a.conditions[condition] ?? 0) + 1
      } else a.writtenUnconfirmed++
    }
    return a
  }
}

/** The flat counts a reliability report row shows. */
export function countsOf(a: Accounting): Record<string, number | string> {
  const { conditions, ...counts } = a
  return {
    ...counts,
    conditions: Object.entries(conditions)
      .map(([c, n]) => `${c}×${n}`)
      .join(' '),
  }
}
