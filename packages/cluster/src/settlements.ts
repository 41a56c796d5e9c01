import type { PendingStanza } from '@xmpp-federation/router'
import type { StanzaErrorCondition } from '@xmpp-federation/stream'

/** How one send ended, as the owner reports it to the origin. */
export type Outcome = { ok: true } | { ok: false; condition: StanzaErrorCondition; reason: string }

interface Pending {
  readonly item: PendingStanza
  readonly timer: NodeJS.Timeout
}

/**
 * The send() promises of this node waiting for their owner's report, by stanza key. Bounded
 * (`max`); each has a timer (its TTL plus a margin) so that a lost report never leaves a
 * promise pending.
 */
export class Settlements {
  private readonly pending = new Map<string, Pending>()

  constructor(
    readonly max: number,
    private readonly onBounce: (item: PendingStanza, condition: StanzaErrorCondition, reason: string) => void,
  ) {}

  get size(): number {
    return this.pending.size
  }

  get full(): boolean {
    return this.pending.size >= this.max
  }

  add(key: string, item: PendingStanza, timeoutMs: number): void {
    const timer = setTimeout(
      () =>
        this.settle(key, {
          ok: false,
          condition: 'remote-server-timeout',
          reason: 'no node reported delivery in time',
        }),
      Math.max(0, timeoutMs),
    )
    timer.unref?.()
    this.pending.set(key, { item, timer })
  }

  has(key: string): boolean {
    return this.pending.has(key)
  }

  /** Settles the send once; later reports for the same key are ignored. */
  settle(key: string, outcome: Outcome): void {
    const entry = this.pending.get(key)
    if (!entry) return
    this.pending.delete(key)
    clearTimeout(entry.timer)
    if (outcome.ok) entry.item.resolve()
    else this.onBounce(entry.item, outcome.condition, outcome.reason)
  }

  /** Resolves every waiting send (stop(): their stanzas are durable, the next owner delivers them). */
  resolveAll(): void {
    for (const key of [...this.pending.keys()]) this.settle(key, { ok: true })
  }
}
