import {
  NegotiationError,
  type OutboundSession,
  type S2SSession,
  type StanzaErrorCondition,
  StreamError,
  type StreamErrorCondition,
} from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import type { DurableStanza } from './cluster-port.js'
import { DeliveryError } from './errors.js'
import { type PendingStanza, pendingOf, type QueuedStanza, type QueueLimits, StanzaQueue } from './queue.js'
import type { ConnectionTarget } from './resolve/index.js'

/**
 * Where the outbound link to a remote domain stands: idle, connecting, authenticated and passing the
 * admission checks (`admitting`), established, or waiting to retry (`backing-off`).
 */
export type LinkState = 'idle' | 'connecting' | 'admitting' | 'established' | 'backing-off'

export interface LinkOptions {
  readonly local: string
  readonly remote: string
  readonly queue: QueueLimits
  /** Opens an authenticated stream to the remote domain over the first target that works. */
  connect(local: string, remote: string): Promise<{ session: OutboundSession; target: ConnectionTarget }>
  /** XEP-0288: a bidirectional stream the peer opened for this pair, to use instead of dialling (if established). */
  offered(): S2SSession | undefined
  /**
   * Checks that may still refuse the authenticated peer (its software); throws to refuse. A
   * check that lets the peer through before its final verdict calls `refuseLater` if it refuses.
   */
  admit(session: S2SSession, refuseLater: (error: Error) => void): Promise<void>
  /** Bounded backoff between failed attempts: first delay and ceiling. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number }
  /** Called for each stanza that could not be written, with the condition to bounce it with. */
  onBounce(item: PendingStanza, condition: StanzaErrorCondition, reason: string): void
  /** `target` is undefined for a stream the peer opened (XEP-0288). */
  onEstablished(session: S2SSession, target: ConnectionTarget | undefined): void
  onFailure(error: Error, condition: StanzaErrorCondition): void
  onClosed(error: Error | undefined): void
  /** XEP-0198: this many unacknowledged stanzas of a dead stream are being resent. */
  onResend(count: number): void
  /** The TTL of a stanza whose first expiry is unknown (written before this link knew it). */
  readonly resendTtlMs: number
  /** Randomness for the backoff's jitter, in [0, 1); Math.random by default. */
  readonly random?: () => number
}

/**
 * Everything about sending from one local domain to one remote domain: the
 * stream (reused), the queue while it connects, and the backoff after a
 * failure. There is no sticky bounce window: every send after a failure tries
 * again, no sooner than the backoff allows. The stream is ours, or one the
 * peer opened to us and made bidirectional (XEP-0288).
 */
export class OutboundLink {
  state: LinkState = 'idle'
  session: S2SSession | undefined
  target: ConnectionTarget | undefined
  lastError: { condition: StanzaErrorCondition; message: string; at: number } | undefined
  /** Round trip of the last XEP-0199 ping over this pair, in ms. */
  rttMs: number | undefined
  private readonly queue: StanzaQueue
  private failures = 0
  private retryAt = 0
  private retryTimer: NodeJS.Timeout | undefined
  private expiryTimer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly options: LinkOptions) {
    this.queue = new StanzaQueue(options.queue)
  }

  get localDomain(): string {
    return this.options.local
  }

  get remoteDomain(): string {
    return this.options.remote
  }

  get queued(): { stanzas: number; bytes: number } {
    return { stanzas: this.queue.size, bytes: this.queue.bytes }
  }

  /**
   * Nothing here is worth keeping: no stream, nothing queued, no attempt under way and no
   * backoff still to respect. The federation then forgets the link, so that a peer we
   * wrote to once costs nothing afterwards.
   */
  disposable(now: number): boolean {
    return (
      this.session === undefined &&
      this.queue.size === 0 &&
      this.retryTimer === undefined &&
      (this.state === 'idle' || (this.state === 'backing-off' && now >= this.retryAt))
    )
  }

  /** Writes now when the stream is up; otherwise queues and makes sure a connection is under way. */
  send(item: PendingStanza): void {
    if (this.stopped) {
      this.options.onBounce(item, 'remote-server-not-found', 'federation is stopping')
      return
    }
    const session = this.session
    if (session?.phase === 'established' && (this.state === 'established' || item.answer)) {
      // Within the XEP-0198 window and behind nothing queued: straight to the stream.
      if (session.canSendStanza && this.queue.size === 0) {
        this.write(session, item)
        return
      }
    }
    const wasEmpty = this.queue.size === 0
    let accepted: boolean
    try {
      accepted = this.queue.offer(item)
    } catch (error) {
      this.bounceUnwritable(item, error as Error)
      return
    }
    if (!accepted) {
      this.options.onBounce(item, 'resource-constraint', `queue to ${this.options.remote} is full`)
      return
    }
    // The head expires first, and whenever the queue holds stanzas a timer is set for it (or
    // earlier; it sets the next): a timer per stanza queued would only be set again.
    if (wasEmpty) this.scheduleExpiry()
    if (this.state === 'idle') this.start()
    // A stream the peer opened proves it is back: no need to wait out the backoff.
    else if (this.state === 'backing-off' && !this.adoptOffered() && !this.retryTimer) this.scheduleRetry()
  }

  /**
   * Bounces whatever waits, closes the stream, and refuses further sends. A reload that
   * forbids the pair says with which stanza error the queue bounces and which stream
   * error closes the stream; by default the stream closes cleanly.
   */
  async stop(
    reason: string,
    outcome: { stanzaCondition: StanzaErrorCondition; condition?: StreamErrorCondition } = {
      stanzaCondition: 'remote-server-not-found',
    },
  ): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.expiryTimer)
    for (const item of this.queue.drain())
      this.options.onBounce(pendingOf(item), outcome.stanzaCondition, reason)
    if (this.session) await this.session.close(outcome.condition, outcome.condition && reason)
  }

  /**
   * XEP-0288: the peer opened a bidirectional stream to us, authenticated for
   * this pair. It becomes this link's stream unless the link has one or is
   * opening one. Returns whether it was taken.
   */
  adopt(session: S2SSession): boolean {
    if (session.phase !== 'established') return false
    if (this.stopped || this.session || this.state === 'connecting') return false
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    void this.use(session, undefined).catch((error: Error) => {
      this.session = undefined
      this.onConnectFailed(error)
    })
    return true
  }

  /** A stream for the queue: the peer's bidirectional one when it has offered it, else our own. */
  private start(): void {
    if (!this.adoptOffered()) void this.connect()
  }

  private adoptOffered(): boolean {
    const offered = this.options.offered()
    return offered !== undefined && this.adopt(offered)
  }

  private async connect(): Promise<void> {
    this.state = 'connecting'
    this.retryTimer = undefined
    try {
      const { session, target } = await this.options.connect(this.options.local, this.options.remote)
      if (this.stopped) {
        await session.close()
        return
      }
      await this.use(session, target)
    } catch (error) {
      this.session = undefined
      this.onConnectFailed(error as Error)
    }
  }

  /** Takes an authenticated stream: admission checks, then the queue goes out. */
  private async use(session: S2SSession, target: ConnectionTarget | undefined): Promise<void> {
    this.session = session
    this.target = target
    this.state = 'admitting'
    session.once('closed', ({ error }) => this.onSessionClosed(session, error))
    // Answers may use a stream still being admitted (as in send()): the peer may be waiting
    // for one, e.g. its own XEP-0092 query, before it admits us in turn.
    for (const item of this.queue.take((waiting) => waiting.answer === true)) this.write(session, item)
    await this.options.admit(session, (error) => this.refuseAdmitted(session, error))
    if (this.session !== session || this.stopped) return
    this.state = 'established'
    // The peer is back once it acknowledges something: a server that authenticates us and
    // drops the stream before acking would otherwise be redialled at once, forever.
    if (session.sm?.enabled) session.once('acked', () => this.recovered(session))
    else this.failures = 0
    this.options.onEstablished(session, target)
    // Flow control: what waits for the XEP-0198 window or for the socket goes out as acks
    // come back and the socket drains.
    const resume = () => {
      if (this.session === session && this.state === 'established' && this.queue.size > 0) this.flush(session)
    }
    session.on('acked', resume)
    session.on('writable', resume)
    this.flush(session)
  }

  /**
   * A peer admitted before its final verdict is refused after all: not another byte goes on
   * its stream, which closes with policy-violation; what waits bounces as for a refusal at
   * admission, and later sends dial again (and meet the refusal there).
   */
  private refuseAdmitted(session: S2SSession, error: Error): void {
    if (this.session !== session) return
    this.session = undefined
    void session.close('policy-violation', error.message).catch(noop)
    this.onConnectFailed(error)
  }

  /** Writes what waits, oldest first, as far as the XEP-0198 window allows; the rest keeps waiting. */
  private flush(session: S2SSession): void {
    while (this.queue.size > 0 && session.phase === 'established' && session.canSendStanza) {
      this.write(session, this.queue.shift()!)
    }
  }

  private recovered(session: S2SSession): void {
    if (this.session === session) this.failures = 0
  }

  /** Writes a stanza given to send() or one that waited in the queue (as text). */
  private write(session: S2SSession, item: PendingStanza | QueuedStanza): void {
    // A lapsed lease: not ours to write any more, and not ours to bounce; the outbox keeps it.
    if (item.durable && !item.durable.mayWrite()) return
    try {
      // The stream keeps the TTL (a resend keeps the one given once) and tells the cluster's
      // outbox entry when the peer acknowledges the stanza.
      const stanza = 'serialized' in item ? item.serialized : item.stanza
      session.sendStanza(stanza, { expiresAt: item.expiresAt, receipt: item.durable })
      item.resolve()
      // Without XEP-0198 nothing will ever be acknowledged: written is as good as it gets.
      if (item.durable && !session.sm?.enabled) item.durable.acked()
    } catch (error) {
      this.bounceUnwritable(pendingOf(item), error as Error)
    }
  }

  /** Unserializable content (bad-request) or a pair the stream is not authenticated for. */
  private bounceUnwritable(item: PendingStanza, error: Error): void {
    const condition = error.name === 'InvalidXmlCharError' ? 'bad-request' : 'internal-server-error'
    this.options.onBounce(item, condition, error.message)
  }

  private onSessionClosed(session: S2SSession, error: Error | undefined): void {
    if (this.session !== session) return
    this.session = undefined
    this.options.onClosed(error)
    const resent = this.resendUnacknowledged(session)
    if (this.state === 'established' || this.state === 'admitting') this.state = 'idle'
    if (this.queue.size === 0 || this.stopped) return
    if (resent > 0 || error !== undefined) {
      // RFC 6120 §3.3: a stream that broke is redialled after a randomised, growing delay.
      this.backOff()
      this.state = 'backing-off'
      this.scheduleRetry()
    } else {
      // Closed in good order (idle, or by the peer) with stanzas that came meanwhile: at once.
      this.start()
    }
  }

  /**
   * XEP-0198: what the dead stream never acknowledged goes out again on the
   * next one (at-least-once: the peer may have handled some and lost the ack).
   * Their send() promises settled at write time; a failure now bounces them.
   */
  private resendUnacknowledged(session: S2SSession): number {
    if (session.unacknowledgedCount === 0 || this.stopped) return 0
    const fallback = Date.now() + this.options.resendTtlMs
    const items = session.unacknowledged.map(({ stanza, expiresAt, receipt }) => ({
      stanza,
      expiresAt: expiresAt ?? fallback,
      resent: true,
      // write() gives the stream no receipt but a DurableStanza.
      durable: receipt as DurableStanza | undefined,
      resolve: noop,
      reject: noop,
    }))
    // Resent stanzas obey the queue's limits like new ones: what does not fit bounces.
    const refused = this.queue.requeue(items)
    for (const item of refused) {
      this.options.onBounce(item, 'resource-constraint', `queue to ${this.options.remote} is full`)
    }
    const resent = items.length - refused.length
    if (resent > 0) this.options.onResend(resent)
    this.scheduleExpiry()
    return resent
  }

  private onConnectFailed(error: Error): void {
    const condition = conditionFor(error)
    this.lastError = { condition, message: error.message, at: Date.now() }
    this.options.onFailure(error, condition)
    for (const item of this.queue.drain()) this.options.onBounce(pendingOf(item), condition, error.message)
    this.backOff()
    this.state = this.stopped ? 'idle' : 'backing-off'
  }

  /** One more failure: the next attempt waits between half and all of a doubling delay. */
  private backOff(): void {
    this.failures++
    const { initialMs, maxMs } = this.options.backoff
    const ceiling = Math.min(maxMs, initialMs * 2 ** (this.failures - 1))
    const random = this.options.random ?? Math.random
    this.retryAt = Date.now() + ceiling * (0.5 + random() / 2)
  }

  private scheduleRetry(): void {
    const delay = Math.max(0, this.retryAt - Date.now())
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.start()
    }, delay)
    this.retryTimer.unref?.()
  }

  private scheduleExpiry(): void {
    const next = this.queue.nextExpiry
    if (next === undefined) return
    clearTimeout(this.expiryTimer)
    this.expiryTimer = setTimeout(
      () => {
        for (const item of this.queue.expire(Date.now())) {
          this.options.onBounce(
            pendingOf(item),
            'remote-server-timeout',
            `not delivered to ${this.options.remote} in time`,
          )
        }
        this.scheduleExpiry()
      },
      Math.max(0, next - Date.now()),
    )
    this.expiryTimer.unref?.()
  }
}

/**
 * RFC 6120 §8.3.3: remote-server-timeout when the remote server did not
 * answer in time, remote-server-not-found when it cannot be found or reached
 * or would not let us in, policy-violation when a policy refused it.
 */
export function conditionFor(error: Error): StanzaErrorCondition {
  if (error instanceof DeliveryError) return error.condition
  if (error instanceof NegotiationError && error.code === 'TIMEOUT') return 'remote-server-timeout'
  if (error instanceof StreamError) {
    if (error.condition === 'connection-timeout') return 'remote-server-timeout'
    if (error.condition === 'policy-violation' && error.origin === 'local') return 'policy-violation'
  }
  if ((error as { code?: string }).code === 'TIMEOUT') return 'remote-server-timeout'
  return 'remote-server-not-found'
}

export function isStanza(el: Element): boolean {
  return el.name === 'message' || el.name === 'presence' || el.name === 'iq'
}

function noop(): void {}
