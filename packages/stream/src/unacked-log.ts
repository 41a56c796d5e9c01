import { type Element, parse } from 'ltx'

/** Told when the peer acknowledges the stanza it was written with (XEP-0198). */
export interface AckReceipt {
  /** The peer's `<a h>` covers the stanza: it has it. */
  acked(): void
}

/** What the writer of a stanza gets back with it if the stream dies before the peer acknowledges it. */
export interface StanzaTracking {
  /** When the writer stops wanting the stanza delivered (a time in ms, as `Date.now()`). */
  readonly expiresAt?: number
  /** Told when the peer acknowledges the stanza. */
  readonly receipt?: AckReceipt
}

/** A stanza written and never acknowledged, with what its writer attached to it. */
export interface UnacknowledgedStanza {
  readonly stanza: Element
  readonly expiresAt: number | undefined
  readonly receipt: AckReceipt | undefined
}

/** Past this many acknowledged entries at the front (and half the arrays), they are cut off. */
const COMPACT_AFTER = 1024

/**
 * The stanzas a stream has written and the peer has not acknowledged yet, oldest first, kept
 * as text and numbers rather than element trees. A sender holds them for a round trip or more:
 * long enough to outlive young-generation collections, so each tree (ten-odd objects) was
 * copied and promoted; the trees were a fifth of a busy sender's CPU, in garbage collection.
 *
 * A stanza written with the rest of its event-loop turn is kept as a place in that turn's
 * output (`sealTurn`): one string per turn, which writing flattened anyway. One written any
 * other way keeps its own text. The tree is parsed again only when the stream dies and the
 * writer asks for what was never acknowledged.
 */
export class UnackedLog {
  /** Before `sealTurn`: the stanza's own text; after: the turn's output it went out in. */
  private texts: string[] = []
  /** Where the stanza starts in the turn's output; -1 for one kept as its own text. */
  private starts: number[] = []
  private sizes: number[] = []
  /** NaN when the writer gave none (a double each, kept unboxed). */
  private expiries: number[] = []
  private receipts: (AckReceipt | undefined)[] = []
  /** Entries before this index are acknowledged. */
  private head = 0
  /** Entries from this index on were written this turn: `sealTurn` has not seen them. */
  private unsealed = 0
  private totalSize = 0

  /** Stanzas held. */
  get length(): number {
    return this.texts.length - this.head
  }

  /** Characters held, as serialized. */
  get size(): number {
    return this.totalSize
  }

  /**
   * A stanza written: its text, and where it starts in this turn's output (-1 when it did
   * not join the turn's output, e.g. written alone during a restart).
   */
  push(text: string, startInTurn: number, tracking: StanzaTracking | undefined): void {
    this.texts.push(text)
    this.starts.push(startInTurn)
    this.sizes.push(text.length)
    this.expiries.push(tracking?.expiresAt ?? Number.NaN)
    this.receipts.push(tracking?.receipt)
    this.totalSize += text.length
  }

  /**
   * The turn's output went to the socket: its stanzas keep their place in it instead of their
   * text, unless most of it is other writes. A peer that floods `<r/>` fills our output with
   * `<a/>` answers; holding that output for one stanza it never acknowledges would let it make
   * us keep far more than the window counts. Past twice the stanzas' own characters, each keeps
   * its own text: what is held stays within twice the characters the window counts (and the
   * one turn its oldest stanza shares with acknowledged ones).
   */
  sealTurn(output: string): void {
    const from = Math.max(this.unsealed, this.head)
    let stanzaCharacters = 0
    for (let i = from; i < this.texts.length; i++) {
      if (this.starts[i]! >= 0) stanzaCharacters += this.sizes[i]!
    }
    const shared = output.length <= 2 * stanzaCharacters
    for (let i = from; i < this.texts.length; i++) {
      if (this.starts[i]! < 0) continue
      if (shared) this.texts[i] = output
      else this.starts[i] = -1
    }
    this.unsealed = this.texts.length
  }

  /** The peer acknowledged the `count` oldest stanzas (at most `length`): their receipts are told. */
  shift(count: number): void {
    const end = this.head + count
    for (let i = this.head; i < end; i++) {
      this.totalSize -= this.sizes[i]!
      // Release the turn's output as soon as no stanza needs it.
      this.texts[i] = ''
      const receipt = this.receipts[i]
      if (receipt) {
        this.receipts[i] = undefined
        receipt.acked()
      }
    }
    this.head = end
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.texts.length) this.compact()
  }

  /** Everything held, oldest first, parsed back into elements. */
  entries(): UnacknowledgedStanza[] {
    const entries: UnacknowledgedStanza[] = []
    for (let i = this.head; i < this.texts.length; i++) {
      const start = this.starts[i]!
      const text =
        start >= 0 && i < this.unsealed ? this.texts[i]!.slice(start, start + this.sizes[i]!) : this.texts[i]!
      const expiresAt = this.expiries[i]!
      entries.push({
        // Our own serialization: well-formed by construction, so ltx's parser is enough.
        stanza: parse(text),
        expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
        receipt: this.receipts[i],
      })
    }
    return entries
  }

  /** Forgets everything (nothing will be acknowledged any more). */
  clear(): void {
    this.texts = []
    this.starts = []
    this.sizes = []
    this.expiries = []
    this.receipts = []
    this.head = 0
    this.unsealed = 0
    this.totalSize = 0
  }

  private compact(): void {
    const head = this.head
    this.texts.splice(0, head)
    this.starts.splice(0, head)
    this.sizes.splice(0, head)
    this.expiries.splice(0, head)
    this.receipts.splice(0, head)
    this.unsealed = Math.max(0, this.unsealed - head)
    this.head = 0
  }
}
