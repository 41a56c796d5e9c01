import type { Element } from 'ltx'

/** A stanza waiting for its session, with what settles the caller's `send()`. */
export interface PendingStanza {
  readonly stanza: Element
  readonly bytes: number
  /** Epoch ms after which it is bounced with remote-server-timeout. */
  readonly expiresAt: number
  /**
   * An answer (iq result/error) that may use a stream still being admitted:
   * the peer may be waiting for exactly this answer before admitting us.
   */
  readonly answer?: boolean
  resolve(): void
  reject(error: Error): void
}

export interface QueueLimits {
  readonly maxStanzas: number
  readonly maxBytes: number
}

/**
 * The bounded FIFO in front of one outbound session while it connects. It
 * never grows past its limits: `offer` refuses instead, and the caller bounces
 * with resource-constraint.
 */
export class StanzaQueue {
  private items: PendingStanza[] = []
  private byteCount = 0

  constructor(private readonly limits: QueueLimits) {}

  get size(): number {
    return this.items.length
  }

  get bytes(): number {
    return this.byteCount
  }

  offer(item: PendingStanza): boolean {
    if (this.items.length >= this.limits.maxStanzas) return false
    if (this.byteCount + item.bytes > this.limits.maxBytes) return false
    this.items.push(item)
    this.byteCount += item.bytes
    return true
  }

  /** Removes and returns everything, oldest first. */
  drain(): PendingStanza[] {
    const items = this.items
    this.items = []
    this.byteCount = 0
    return items
  }

  /** Removes and returns the stanzas whose TTL has passed. */
  expire(now: number): PendingStanza[] {
    if (this.items.length === 0 || this.items[0]!.expiresAt > now) return []
    const expired = this.items.filter((item) => item.expiresAt <= now)
    this.items = this.items.filter((item) => item.expiresAt > now)
    this.byteCount = this.items.reduce((sum, item) => sum + item.bytes, 0)
    return expired
  }

  /** When the oldest stanza expires, or undefined when empty. */
  get nextExpiry(): number | undefined {
    return this.items.reduce<number | undefined>(
      (min, item) => (min === undefined || item.expiresAt < min ? item.expiresAt : min),
      undefined,
    )
  }
}
