import type { Element } from 'ltx'
import type { DurableStanza } from './cluster-port.js'
import { serializedBytes } from './stanza-size.js'

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
 * wait (counted, not serialized): a stanza written straight to its stream is serialized once.
 */
export class StanzaQueue {
  // A FIFO as two arrays and a head index: `shift()` runs once per stanza while a link is
  // flow-controlled, and an array's own shift() moves every element after it.
  private items: (PendingStanza | undefined)[] = []
  private sizes: number[] = []
  private head = 0
  private byteCount = 0

  constructor(private readonly limits: QueueLimits) {}

  get size(): number {
    return this.items.length - this.head
  }

  get bytes(): number {
    return this.byteCount
  }

  offer(item: PendingStanza): boolean {
    if (this.size >= this.limits.maxStanzas) return false
    const bytes = serializedBytes(item.stanza)
    if (this.byteCount + bytes > this.limits.maxBytes) return false
    this.items.push(item)
    this.sizes.push(bytes)
    this.byteCount += bytes
    return true
  }

  /**
   * Puts stanzas back at the head, in order (XEP-0198 resend of what a broken stream
   * left unacknowledged), as many as the limits leave room for, oldest first; returns
   * the ones that did not fit. The queue never grows past its limits, resends included.
   */
  requeue(items: PendingStanza[]): PendingStanza[] {
    const sizes: number[] = []
    let count = this.size
    let bytes = this.byteCount
    let index = 0
    for (; index < items.length; index++) {
      const item = items[index]!
      const size = serializedBytes(item.stanza)
      if (count + 1 > this.limits.maxStanzas || bytes + size > this.limits.maxBytes) break
      sizes.push(size)
      count++
      bytes += size
    }
    this.replace([...items.slice(0, index), ...this.live()], [...sizes, ...this.sizes.slice(this.head)])
    this.byteCount = bytes
    return items.slice(index)
  }

  /** Removes and returns the oldest stanza, if any. */
  shift(): PendingStanza | undefined {
    if (this.head === this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined // the caller's, not ours to keep alive
    this.byteCount -= this.sizes[this.head]!
    this.head++
    if (this.head === this.items.length) this.replace([], [])
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.replace(this.live(), this.sizes.slice(this.head))
    }
    return item
  }

  /** Removes and returns everything, oldest first. */
  drain(): PendingStanza[] {
    const items = this.live()
    this.replace([], [])
    this.byteCount = 0
    return items
  }

  /** Removes and returns the stanzas whose TTL has passed. */
  expire(now: number): PendingStanza[] {
    return this.take((item) => item.expiresAt <= now)
  }

  /** Removes and returns the stanzas `selected` picks, oldest first; the others keep their order. */
  take(selected: (item: PendingStanza) => boolean): PendingStanza[] {
    const taken: PendingStanza[] = []
    const keptItems: PendingStanza[] = []
    const keptSizes: number[] = []
    for (let index = this.head; index < this.items.length; index++) {
      const item = this.items[index]!
      if (selected(item)) {
        taken.push(item)
        this.byteCount -= this.sizes[index]!
      } else {
        keptItems.push(item)
        keptSizes.push(this.sizes[index]!)
      }
    }
    if (taken.length > 0) this.replace(keptItems, keptSizes)
    return taken
  }

  /** When the oldest stanza expires (FIFO with one TTL: the first), or undefined when empty. */
  get nextExpiry(): number | undefined {
    return this.items[this.head]?.expiresAt
  }

  /** The stanzas waiting, oldest first. */
  private live(): PendingStanza[] {
    return this.items.slice(this.head) as PendingStanza[]
  }

  private replace(items: PendingStanza[], sizes: number[]): void {
    this.items = items
    this.sizes = sizes
    this.head = 0
  }
}
