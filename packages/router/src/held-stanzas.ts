import type { Element } from 'ltx'
import type { PendingStanza } from './queue.js'

/** Acknowledged entries dropped from the head before the array is compacted. */
const COMPACT_AFTER = 1024

/**
 * What one link wrote on one stream under XEP-0198 and the peer has not acknowledged yet,
 * oldest first: a resend keeps the TTL each stanza was given when it was first sent.
 *
 * The stream holds the same stanzas (its unacknowledged list), in the same order, among
 * others written on it by other parts (an XEP-0092 query, say), so its list is matched to
 * ours by identity, in order. Kept as an array rather than a WeakMap from stanza to TTL:
 * an entry in a WeakMap gives every stanza an identity hash and the garbage collector an
 * ephemeron to trace, ≈ 250 ns per stanza written.
 */
export class HeldStanzas {
  private items: PendingStanza[] = []
  private head = 0

  constructor(
    /** The stream these were written on. */
    readonly session: object,
  ) {}

  /** Written, and counted by the stream's stream management. */
  push(item: PendingStanza): void {
    this.items.push(item)
  }

  /** The stream reports `stanzas` acknowledged, oldest first; ours among them leave the head. */
  acked(stanzas: readonly Element[]): void {
    const { items } = this
    for (const stanza of stanzas) if (items[this.head]?.stanza === stanza) this.head++
    if (this.head === items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= items.length) {
      this.items = items.slice(this.head)
      this.head = 0
    }
  }

  /**
   * The entry of each of `unacknowledged` (the stream's list, oldest first) this link wrote,
   * undefined for the others. Empties the list: a stream is resent from once.
   */
  take(unacknowledged: readonly Element[]): (PendingStanza | undefined)[] {
    const { items } = this
    let next = this.head
    const found = unacknowledged.map((stanza) => (items[next]?.stanza === stanza ? items[next++] : undefined))
    this.items = []
    this.head = 0
    return found
  }
}
