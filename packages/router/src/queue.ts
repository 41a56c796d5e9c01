import { SerializedStanza } from '@xmpp-federation/stream'
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
 * A stanza as it waits in a queue: serialized once, its element tree let go. A queue holds
 * thousands while a fast sender waits for XEP-0198 acks; as trees they outlived young
 * collections and were copied and promoted, and each was serialized twice (counted, then written).
 */
export interface QueuedStanza extends Omit<PendingStanza, 'stanza'> {
  readonly serialized: SerializedStanza
}

/** A queued stanza as an element again, for a bounce or an event (parses: not for the hot path). */
export function pendingOf(item: QueuedStanza | PendingStanza): PendingStanza {
  if (!('serialized' in item)) return item
  const { serialized, ...rest } = item
  return { ...rest, stanza: serialized.toElement() }
}

function queued(item: PendingStanza): QueuedStanza {
  // Field by field: object rest/spread cost more than the serialization (every PendingStanza field).
  return {
    serialized: SerializedStanza.of(item.stanza),
    expiresAt: item.expiresAt,
    answer: item.answer,
    resent: item.resent,
    durable: item.durable,
    resolve: item.resolve,
    reject: item.reject,
  }
}

/**
 * The bounded FIFO in front of one outbound session while it connects or waits for acks.
 * It never grows past its limits: `offer` refuses instead, and the caller bounces with
 * resource-constraint. A stanza is serialized when it enters (its exact size in UTF-8) and
 * written as that text; one written straight to its stream never comes here.
 */
export class StanzaQueue {
  // A FIFO as an array and a head index: `shift()` runs once per stanza while a link is
  // flow-controlled, and an array's own shift() moves every element after it.
  private items: (QueuedStanza | undefined)[] = []
  private head = 0
  private byteCount = 0

  constructor(private readonly limits: QueueLimits) {}

  get size(): number {
    return this.items.length - this.head
  }

  get bytes(): number {
    return this.byteCount
  }

  /**
   * Queues `item` if the limits leave room; false when they do not. Throws InvalidXmlCharError
   * for a stanza XML cannot carry (serialized here, not when written).
   */
  offer(item: PendingStanza): boolean {
    if (this.size >= this.limits.maxStanzas) return false
    const entry = queued(item)
    if (this.byteCount + entry.serialized.bytes > this.limits.maxBytes) return false
    this.items.push(entry)
    this.byteCount += entry.serialized.bytes
    return true
  }

  /**
   * Puts stanzas back at the head, in order (XEP-0198 resend of what a broken stream
   * left unacknowledged), as many as the limits leave room for, oldest first; returns
   * the ones that did not fit. The queue never grows past its limits, resends included.
   */
  requeue(items: PendingStanza[]): PendingStanza[] {
    const entries: QueuedStanza[] = []
    let count = this.size
    let bytes = this.byteCount
    for (const item of items) {
      const entry = queued(item)
      if (count + 1 > this.limits.maxStanzas || bytes + entry.serialized.bytes > this.limits.maxBytes) break
      entries.push(entry)
      count++
      bytes += entry.serialized.bytes
    }
    this.replace([...entries, ...this.live()])
    this.byteCount = bytes
    return items.slice(entries.length)
  }

  /** Removes and returns the oldest stanza, if any. */
  shift(): QueuedStanza | undefined {
    if (this.head === this.items.length) return undefined
    const item = this.items[this.head]!
    this.items[this.head] = undefined // the caller's, not ours to keep alive
    this.byteCount -= item.serialized.bytes
    this.head++
    if (this.head === this.items.length) this.replace([])
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) this.replace(this.live())
    return item
  }

  /** Removes and returns everything, oldest first. */
  drain(): QueuedStanza[] {
    const items = this.live()
    this.replace([])
    this.byteCount = 0
    return items
  }

  /** Removes and returns the stanzas whose TTL has passed. */
  expire(now: number): QueuedStanza[] {
    return this.take((item) => item.expiresAt <= now)
  }

  /** Removes and returns the stanzas `selected` picks, oldest first; the others keep their order. */
  take(selected: (item: QueuedStanza) => boolean): QueuedStanza[] {
    const taken: QueuedStanza[] = []
    const kept: QueuedStanza[] = []
    for (let index = this.head; index < this.items.length; index++) {
      const item = this.items[index]!
      if (selected(item)) {
        taken.push(item)
        this.byteCount -= item.serialized.bytes
      } else kept.push(item)
    }
    if (taken.length > 0) this.replace(kept)
    return taken
  }

  /** When the oldest stanza expires (FIFO with one TTL: the first), or undefined when empty. */
  get nextExpiry(): number | undefined {
    return this.items[this.head]?.expiresAt
  }

  /** The stanzas waiting, oldest first. */
  private live(): QueuedStanza[] {
    return this.items.slice(this.head) as QueuedStanza[]
  }

  private replace(items: QueuedStanza[]): void {
    this.items = items
    this.head = 0
  }
}
