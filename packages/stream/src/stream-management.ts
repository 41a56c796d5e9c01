import { Element } from 'ltx'
import { StreamError } from './errors.js'

/** XEP-0198 Stream Management, version 3. */
export const NS_SM = 'urn:xmpp:sm:3'

export interface StreamManagementOptions {
  /** Ask for an ack once this many stanzas are unacknowledged. Default 20. */
  readonly requestEvery: number
  /** ... or once the oldest unacknowledged stanza is this old. Default 200 ms. */
  readonly requestAfterMs: number
}

export const DEFAULT_STREAM_MANAGEMENT: StreamManagementOptions = { requestEvery: 20, requestAfterMs: 200 }

/** h counts modulo 2^32 (XEP-0198 §4). */
const H_MODULO = 2 ** 32

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
  private unacked: Element[] = []
  private requestTimer: NodeJS.Timeout | undefined
  private awaitingAck = false

  constructor(
    private readonly options: StreamManagementOptions,
    private readonly write: (el: Element) => void,
    private readonly onAcked: (stanzas: Element[]) => void,
  ) {}

  /** Stanzas written but not acknowledged yet, oldest first. */
  get unacknowledged(): readonly Element[] {
    return this.unacked
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
    this.unacked = []
    this.stop()
  }

  /** Called for each stanza written; false when it is not counted (stream management not on yet). */
  sent(stanza: Element): boolean {
    if (!this.countingSent) return false
    this.unacked.push(stanza)
    if (this.unacked.length >= this.options.requestEvery) this.requestAck()
    else if (!this.requestTimer) {
      this.requestTimer = setTimeout(() => this.requestAck(), this.options.requestAfterMs)
      this.requestTimer.unref?.()
    }
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

  stop(): void {
    clearTimeout(this.requestTimer)
    this.requestTimer = undefined
  }

  private requestAck(): void {
    clearTimeout(this.requestTimer)
    this.requestTimer = undefined
    if (this.awaitingAck || this.unacked.length === 0) return
    this.awaitingAck = true
    this.write(new Element('r', { xmlns: NS_SM }))
  }

  private onAck(value: string | undefined): void {
    const h = Number(value)
    if (!Number.isInteger(h) || h < 0 || h >= H_MODULO) {
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
    if (count > 0) this.onAcked(this.unacked.splice(0, count))
    // More stanzas went out while we waited: ask again.
    if (this.unacked.length > 0 && !this.requestTimer) {
      this.requestTimer = setTimeout(() => this.requestAck(), this.options.requestAfterMs)
      this.requestTimer.unref?.()
    }
  }
}
