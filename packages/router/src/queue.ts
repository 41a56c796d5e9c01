import type { Element } from 'ltx'
import type { DurableStanza } from './cluster-port.js'

/** A stanza waiting for its session, with what settles the caller's `send()`. */
export interface PendingStanza {
  readonly stanza: Element
  /** Epoch ms after which it is bounced with remote-server-timeout. */
  readonly expiresAt: number
  /**
   * An answer (iq result/error) that may use a stream still being admitted:
   * the peer may be waiting for exactly this answer before admitting us.
   */
  readonly answer?: boolean
  /** Sent before on a stream that died unacknowledged (XEP-0198): the peer may see it twice. */
  readonly resent?: boolean
  /** Cluster mode: the stanza lives in the durable outbox, which decides its fate (see DurableStanza). */
  readonly durable?: DurableStanza
  /** Settles the caller's send(): written. */
  resolve(): void
  /** Settles the caller's send(): not delivered. */
  reject(error: Error): void
}

export interface QueueLimits {
  readonly maxStanzas: number
  readonly maxBytes: number
}

/**
 * The bounded FIFO in front of one outbound session while it connects. It
 * never grows past its limits: `offer` refuses instead, and the caller bounces
 * with resource-constraint. Sizes are measured only here, for stanzas that
 * wait: a stanza written straight to its stream is serialized once.
 */
export class StanzaQueue {
  private entries: { item: PendingStanza; bytes: number }[] = []
  private byteCount = 0

  constructor(private readonly limits: QueueLimits) {}

  get size(): number {
    return this.entries.length
  }

  get bytes(): number {
    return this.byteCount
  }

  offer(item: PendingStanza): boolean {
    if (this.entries.length >= this.limits.maxStanzas) return false
    const bytes = Buffer.byteLength(item.stanza.toString())
    if (this.byteCount + bytes > this.limits.maxBytes) return false
    this.entries.push({ item, bytes })
    this.byteCount += bytes
    return true
  }

  /**
   * Puts stanzas back at the head, in order (XEP-0198 resend of what a broken stream
   * left unacknowledged), as many as the limits leave room for, oldest first; returns
   * the ones that did not fit. The queue never grows past its limits, resends included.
   */
  requeue(items: PendingStanza[]): PendingStanza[] {
    const entries: { item: PendingStanza; bytes: number }[] = []
    let count = this.entries.length
    let bytes = this.byteCount
    let index = 0
    for (; index < items.length; index++) {
      const item = items[index]!
      const size = Buffer.byteLength(item.stanza.toString())
      if (count + 1 > this.limits.maxStanzas || bytes + size > this.limits.maxBytes) break
      entries.push({ item, bytes: size })
      count++
      bytes += size
    }
    this.entries.unshift(...entries)
    this.byteCount = bytes
    return items.slice(index)
  }

  /** Removes and returns the oldest stanza, if any. */
  shift(): PendingStanza | undefined {
    const entry = this.entries.shift()
    if (entry) this.byteCount -= entry.bytes
    return entry?.item
  }

  /** Removes and returns everything, oldest first. */
  drain(): PendingStanza[] {
    const items = this.entries.map((entry) => entry.item)
    this.entries = []
    this.byteCount = 0
    return items
  }

  /** Removes and returns the stanzas whose TTL has passed. */
  expire(now: number): PendingStanza[] {
    return this.take((item) => item.expiresAt <= now)
  }

  /** Removes and returns the stanzas `selected` picks, oldest first; the others keep their order. */
  take(selected: (item: PendingStanza) => boolean): PendingStanza[] {
    const taken = this.entries.filter((entry) => selected(entry.item))
    if (taken.length === 0) return []
    this.entries = this.entries.filter((entry) => !selected(entry.item))
    this.byteCount -= taken.reduce((sum, entry) => sum + entry.bytes, 0)
    return taken.map((entry) => entry.item)
  }

  /** When the oldest stanza expires (FIFO with one TTL: the first), or undefined when empty. */
  get nextExpiry(): number | undefined {
    return this.entries[0]?.item.expiresAt
  }
}
