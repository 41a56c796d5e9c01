import { Element } from 'ltx'
import { StreamError } from './errors.js'
import { type StanzaTracking, UnackedLog, type UnacknowledgedStanza } from './unacked-log.js'

/** XEP-0198 Stream Management, version 3. */
export const NS_SM = 'urn:xmpp:sm:3'

/** When we ask the peer to acknowledge stanzas (XEP-0198), and how long we wait for the answer. */
export interface StreamManagementOptions {
  /** Ask for an ack once this many stanzas are unacknowledged. Default 20. */
  readonly requestEvery: number
  /**
   * ... or once the oldest unacknowledged stanza is this old: with the stream's next stanza
   * if it is still sending, else alone (at most twice this after that stanza). Default 200 ms.
   */
  readonly requestAfterMs: number
  /** A peer that leaves our `<r/>` unanswered this long is gone: the stream is closed. Default 30 s. */
  readonly ackTimeoutMs: number
}

/** The acknowledgement settings used when a host sets none. */
export const DEFAULT_STREAM_MANAGEMENT: StreamManagementOptions = {
  requestEvery: 20,
  requestAfterMs: 200,
  ackTimeoutMs: 30_000,
}

/** How much one stream may hold for a resend; past either bound the peer is not acknowledging. */
export interface UnackedLimits {
  readonly maxUnackedStanzas: number
  readonly maxUnackedBytes: number
}

/** What the stream does when the peer stops acknowledging: it is closed with this error. */
export type StreamManagementFailure = (error: StreamError) => void

/** h counts modulo 2^32 (XEP-0198 §4). */
const H_MODULO = 2 ** 32
/** XEP-0198 §12: h is an xs:unsignedInt, written in decimal digits only. */
const UNSIGNED_INT = /^[0-9]{1,10}$/

/**
 * XEP-0198 on one s2s stream, without resumption (servers re-establish s2s
 * streams instead; Prosody does not resume s2s either). The sending side
 * keeps every stanza until the peer acknowledges it, so that the router can
 * resend what a broken link left unacknowledged: at-least-once delivery.
 *
 * Each side counts from one point of the byte stream (XEP-0198 §4): the
 * initiating side counts what it sends from its `<enable/>` and what it
 * receives from the peer's `<enabled/>`; the receiving side counts both from
 * the `<enable/>` it received. So the initiator need not wait for `<enabled/>`
 * before sending, and a bidirectional stream (XEP-0288) is acked both ways.
 */
export class StreamManagement {
  /** Counting what we send: from our `<enable/>` (initiator) or the peer's (receiver). */
  private countingSent = false
  /** Counting what we receive: from the peer's `<enabled/>` (initiator) or its `<enable/>` (receiver). */
  private countingReceived = false
  /** Inbound stanzas handled since counting began (our h). */
  handled = 0
  /** Outbound stanzas the peer has acknowledged (its last h). */
  private acked = 0
  private readonly unacked = new UnackedLog()
  private requestTimer: NodeJS.Timeout | undefined
  /** Stanzas written since `requestTimer` was armed: whether the stream is still sending. */
  private sentSinceArmed = 0
  /** The request delay passed on a stream still sending: `<r/>` goes with its next stanza. */
  private requestDue = false
  private ackTimer: NodeJS.Timeout | undefined
  private awaitingAck = false

  constructor(
    private readonly options: StreamManagementOptions,
    private readonly limits: UnackedLimits,
    private readonly write: (el: Element) => void,
    private readonly onAcked: (count: number) => void,
    private readonly onFailure: StreamManagementFailure,
  ) {}

  /** Stanzas written but not acknowledged yet, oldest first (parsed again from their text: not for a hot path). */
  get unacknowledged(): UnacknowledgedStanza[] {
    return this.unacked.entries()
  }

  /** How many stanzas are written and not acknowledged yet. */
  get unacknowledgedCount(): number {
    return this.unacked.length
  }

  /** Whether the stream is under stream management (requested by us, or enabled by the peer). */
  get enabled(): boolean {
    return this.countingSent
  }

  /** Receiving side: the peer's `<enable/>` arrived and we answer `<enabled/>`. */
  enable(): void {
    this.countingSent = true
    this.countingReceived = true
  }

  /** Initiating side: our `<enable/>` is written; stanzas after it count. */
  requested(): void {
    this.countingSent = true
  }

  /** Initiating side: the peer's `<enabled/>` arrived; what it sends after it counts. */
  confirmed(): void {
    this.countingReceived = true
  }

  /**
   * Initiating side: `<failed/>` (or no answer). Nothing will be acknowledged:
   * what was sent since the request is no longer held for a resend.
   */
  refused(): void {
    this.countingSent = false
    this.unacked.clear()
    this.stop()
  }

  /**
   * Called for each stanza written, with its serialized text and where it starts in the
   * turn's output (-1 when it did not join it); false when it is not counted (stream
   * management not on yet). Writers keep within the window (`windowFull`); a stanza written
   * past it fails the stream, so that whatever the writer, a peer that reads and never
   * acknowledges cannot make us hold every stanza.
   */
  sent(text: string, startInTurn: number, tracking?: StanzaTracking): boolean {
    if (!this.countingSent) return false
    const size = text.length
    this.unacked.push(text, startInTurn, tracking)
    const { maxUnackedStanzas, maxUnackedBytes } = this.limits
    // Written although the window was already full: the writer ignored `windowFull`.
    const wasFull =
      this.unacked.length - 1 >= maxUnackedStanzas || this.unacked.size - size >= maxUnackedBytes
    if (wasFull) {
      this.onFailure(
        new StreamError(
          'resource-constraint',
          `the peer left ${this.unacked.length} stanzas (${this.unacked.size} characters) unacknowledged`,
        ),
      )
      return true
    }
    if (this.requestDue || this.unacked.length >= this.options.requestEvery) this.requestAck()
    else if (!this.requestTimer) this.armRequestTimer()
    else this.sentSinceArmed++
    return true
  }

  /** Called for each stanza received while enabled. */
  received(): void {
    if (this.countingReceived) this.handled = (this.handled + 1) % H_MODULO
  }

  /** `<r/>`, `<a/>` from the peer; returns the element to answer with, if any. */
  onElement(el: Element): Element | undefined {
    if (el.name === 'r') return new Element('a', { xmlns: NS_SM, h: String(this.handled) })
    if (el.name === 'a') this.onAck(el.attrs.h)
    return undefined
  }

  /** Characters of the stanzas held for a resend. */
  get unacknowledgedBytes(): number {
    return this.unacked.size
  }

  /** The turn's output went to the socket: the stanzas in it keep their place in it, not their own text. */
  turnWritten(output: string): void {
    if (this.unacked.length > 0) this.unacked.sealTurn(output)
  }

  /**
   * The window is full: as many stanzas are unacknowledged as the limits allow. A writer
   * waits for the next ack (the `acked` event) before it writes more; one that writes anyway
   * fails the stream.
   */
  get windowFull(): boolean {
    return (
      this.countingSent &&
      (this.unacked.length >= this.limits.maxUnackedStanzas ||
        this.unacked.size >= this.limits.maxUnackedBytes)
    )
  }

  /** Stops the ack timers; called when the stream closes. */
  stop(): void {
    clearTimeout(this.requestTimer)
    clearTimeout(this.ackTimer)
    this.requestTimer = undefined
    this.ackTimer = undefined
    this.requestDue = false
  }

  /**
   * `<r/>` `requestAfterMs` after the oldest unacknowledged stanza. A stream that went on
   * sending meanwhile gets it with its next stanza, in the same write and TLS record (with
   * a thousand streams each carrying a stanza now and then, a lone `<r/>` was a write, a
   * record and a read of its own); one that stays quiet another `requestAfterMs` gets it alone.
   */
  private armRequestTimer(): void {
    this.sentSinceArmed = 0
    this.requestTimer = setTimeout(this.onRequestTimer, this.options.requestAfterMs)
    this.requestTimer.unref?.()
  }

  private readonly onRequestTimer = (): void => {
    this.requestTimer = undefined
    // Quiet since armed, already deferred once, or nothing to ask now (requestAck decides).
    if (this.sentSinceArmed === 0 || this.requestDue || this.awaitingAck || this.unacked.length === 0) {
      this.requestAck()
      return
    }
    this.requestDue = true
    this.armRequestTimer()
  }

  private requestAck(): void {
    clearTimeout(this.requestTimer)
    this.requestTimer = undefined
    this.requestDue = false
    if (this.awaitingAck || this.unacked.length === 0) return
    this.awaitingAck = true
    this.write(new Element('r', { xmlns: NS_SM }))
    this.ackTimer = setTimeout(() => {
      this.onFailure(
        new StreamError('connection-timeout', `no XEP-0198 ack in ${this.options.ackTimeoutMs} ms`),
      )
    }, this.options.ackTimeoutMs)
    this.ackTimer.unref?.()
  }

  private onAck(value: string | undefined): void {
    const h = value !== undefined && UNSIGNED_INT.test(value) ? Number(value) : Number.NaN
    if (!(h < H_MODULO)) {
      throw new StreamError('undefined-condition', `invalid stream management h ${JSON.stringify(value)}`)
    }
    const count = (h - this.acked + H_MODULO) % H_MODULO
    if (count > this.unacked.length) {
      // XEP-0198 §4: the peer claims more than we sent.
      throw new StreamError(
        'undefined-condition',
        `peer acknowledged ${count} stanzas, only ${this.unacked.length} were sent`,
      )
    }
    this.acked = h
    this.awaitingAck = false
    clearTimeout(this.ackTimer)
    this.ackTimer = undefined
    if (count > 0) {
      this.unacked.shift(count)
      this.onAcked(count)
    }
    // More stanzas went out while we waited: ask again.
    if (this.unacked.length > 0 && !this.requestTimer) this.armRequestTimer()
  }
}
