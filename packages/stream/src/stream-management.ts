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
 */
export class StreamManagement {
  enabled = false
  /** Inbound stanzas handled since `<enable/>` (our h). */
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

  enable(): void {
    this.enabled = true
  }

  /** Called for each stanza written while enabled. */
  sent(stanza: Element): void {
    if (!this.enabled) return
    this.unacked.push(stanza)
    if (this.unacked.length >= this.options.requestEvery) this.requestAck()
    else if (!this.requestTimer) {
      this.requestTimer = setTimeout(() => this.requestAck(), this.options.requestAfterMs)
      this.requestTimer.unref?.()
    }
  }

  /** Called for each stanza received while enabled. */
  received(): void {
    if (this.enabled) this.handled = (this.handled + 1) % H_MODULO
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
