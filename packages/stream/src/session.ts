import type { X509Certificate } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { EventEmitter } from 'eventemitter3'
import { Element } from 'ltx'
import type { AuthenticatedPair, AuthStream } from './auth.js'
import type { StreamContext } from './context.js'
import { domainOfAddress, readStanzaAddresses, type StanzaAddresses } from './domain.js'
import { NegotiationError, StreamError, type StreamErrorCondition } from './errors.js'
import { CLOSING_TAG, type HeaderFields, openingHeader, type PeerHeader, readPeerHeader } from './header.js'
import { NS } from './namespaces.js'
import { SerializedStanza } from './serialized-stanza.js'
import { isStreamError, parseStreamError, streamErrorElement } from './stream-error.js'
import { NS_SM, StreamManagement } from './stream-management.js'
import type { ChainResult } from './tls/index.js'
import type { StanzaTracking, UnacknowledgedStanza } from './unacked-log.js'
import { flushNextTurn } from './write-scheduler.js'
import { type StreamHeader, serialize, XmlStreamParser } from './xml/index.js'

/** Which side opened the stream: `inbound` the peer dialled us, `outbound` we dialled it. */
export type Direction = 'inbound' | 'outbound'
/** Where a stream is in its life; only `established` streams carry stanzas. */
export type SessionPhase = 'negotiating' | 'established' | 'closing' | 'closed'

/** What TLS gave a stream, once negotiated. */
export interface TlsState {
  readonly protocol: string | null
  readonly cipher: string
  /** Negotiated ALPN protocol (XEP-0368 direct TLS uses `xmpp-server`). */
  readonly alpn: string | false
  /** Peer certificate and our verdict on its chain; undefined when the peer sent none. */
  readonly peerCertificate: PeerCertificate | undefined
}

/**
 * The certificate the peer presented and what our own path check made of it. A stream keeps
 * only the facts below; `leaf`, `presented` and `chain` are read again from the TLS socket when
 * asked (diagnostics do; nothing on the stanza path does), so that thousands of idle streams
 * do not each hold parsed certificates.
 */
export interface PeerCertificate {
  /** The leaf, read from the socket; throws once the stream's socket is gone. */
  readonly leaf: X509Certificate
  /** Every certificate the peer presented, leaf first (what diagnostics show); empty once the socket is gone. */
  readonly presented: readonly X509Certificate[]
  /** The path check as it came out at the handshake (the certificates of `chain` are read again). */
  readonly chain: ChainResult
  /** `chain.ok`, kept: the path check found a chain to a trust anchor. */
  readonly trusted: boolean
  /** The leaf's subject, expiry and SHA-256 fingerprint, as at the handshake. */
  readonly subject: string
  readonly validTo: string
  readonly fingerprint256: string
  /** Whether this certificate may authenticate `domain`: a trusted chain that names it (RFC 9525). */
  validFor(domain: string): boolean
}

/** How a stream ended, as the `closed` event reports it. */
export interface CloseInfo {
  /** Why the stream ended; undefined for an orderly close with no error. */
  readonly error: Error | undefined
  /** Who started the closing handshake. */
  readonly initiator: 'local' | 'remote'
}

/** The events a stream emits, with their listener signatures. */
export interface SessionEvents {
  /** The peer's stream header (again after each restart). */
  header: (header: PeerHeader) => void
  /** TLS is up (STARTTLS or direct TLS). */
  secured: (tls: TlsState) => void
  /** Outbound: the peer's `<stream:features/>`, each time they arrive (before and after TLS, after SASL). */
  features: (features: Element) => void
  /** A domain pair was authenticated on this stream. */
  authenticated: (pair: AuthenticatedPair) => void
  /** The stream can carry stanzas. */
  established: () => void
  /**
   * An inbound stanza that passed the stream's checks, its `from` and `to` in canonical form.
   * `pair` is the authenticated pair it travels on (`to`'s domain, `from`'s domain), as the
   * check found them: a listener need not parse the addresses again.
   */
  stanza: (stanza: Element, pair: AuthenticatedPair) => void
  /** XEP-0198: the peer acknowledged this many more stanzas (their receipts were told first). */
  acked: (count: number) => void
  /**
   * `canSendStanza` said false since the last time, and since then what was written reached
   * the socket or the socket drained: it may be true again. Only after a refusal: with a
   * thousand streams, an event per stream per write would be paid for nobody.
   */
  writable: () => void
  /** The stream is gone; emitted exactly once. */
  closed: (info: CloseInfo) => void
}

interface Waiter {
  match: (el: Element) => boolean
  resolve: (el: Element) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

const STANZA_NAMES = new Set(['message', 'presence', 'iq'])
/** Under an exhausted output budget, a stream may still hold this much unread output. */
const FAIR_SHARE = 64 * 1024
/** A peer pipelines a few stanzas behind its authentication, never a flood. */
const MAX_EARLY_STANZAS = 100

/**
 * One s2s XML stream over a socket, whichever side opened it: the parser
 * front, writes, the closing handshake, keepalive and the domain pairs
 * authenticated on it. Negotiation lives in the inbound/outbound subclasses.
 */
export abstract class S2SSession extends EventEmitter<SessionEvents> {
  abstract readonly direction: Direction
  /** Security state, written only by the stream itself: readable everywhere, through getters. */
  protected currentPhase: SessionPhase = 'negotiating'
  protected currentStreamId = ''
  protected latestPeerHeader: PeerHeader | undefined
  protected tlsState: TlsState | undefined
  protected bidiNegotiated = false
  readonly stats = { stanzasIn: 0, stanzasOut: 0, bytesIn: 0, bytesOut: 0 }
  /** XEP-0198 state; undefined when the context switches it off. */
  readonly sm: StreamManagement | undefined
  /**
   * The peer's IP address, read from the socket the stream began on (a TLS
   * upgrade keeps it); undefined when that was no TCP socket. Lets mechanisms
   * bound the work one peer may cause, e.g. dialback verifications in flight.
   */
  readonly remoteAddress: string | undefined

  protected socket: Duplex
  protected headerSent = false
  private parser: XmlStreamParser
  private closingTagSent = false
  private closeError: Error | undefined
  private closeInitiator: 'local' | 'remote' = 'local'
  private readonly pairs = new Map<string, AuthenticatedPair>()
  /** The pair `isAuthenticated` found last: nearly every stanza travels on it. */
  private lastPair: AuthenticatedPair | undefined
  private waiters: Waiter[] = []
  private negotiationTimer: NodeJS.Timeout | undefined
  private keepaliveTimer: NodeJS.Timeout | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private closeTimer: NodeJS.Timeout | undefined
  private lastWrite = Date.now()
  /** Bytes written to the socket and not yet taken by the peer, as last counted in the context's budget. */
  private backlog = 0
  private readingPaused = false
  /** `canSendStanza` said false: `writable` is owed once writes reach the socket or it drains. */
  private writerWaiting = false
  /** Established-stream writes of this event-loop turn, not yet on the socket. */
  private pendingWrites = ''
  /** Writes made while a restarted stream has no header of ours yet: they follow the new header and features. */
  private heldUntilHeader = ''
  /** The stanzas among those writes, until they are released. */
  private heldStanzas: UnacknowledgedStanza[] = []
  /** Outbound bidi: stanzas that arrived before our side finished authenticating, checked once it has. */
  private earlyStanzas: Element[] = []
  private ignoreInput = false
  private readonly closedPromise: Promise<CloseInfo>
  private resolveClosed!: (info: CloseInfo) => void

  constructor(
    socket: Duplex,
    readonly context: StreamContext,
  ) {
    super()
    this.socket = socket
    this.remoteAddress = (socket as { remoteAddress?: string }).remoteAddress
    this.parser = this.createParser()
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
    this.attach(socket)
    this.sm =
      context.streamManagement &&
      new StreamManagement(
        context.streamManagement,
        context.limits,
        // Acks and ack requests only while the stream is up; never a throw from a timer.
        (el) => {
          if (this.phase === 'established') this.send(el)
        },
        (count) => this.emit('acked', count),
        (error) => this.fail(error),
      )
    this.negotiationTimer = setTimeout(
      () => this.fail(new StreamError('connection-timeout', 'stream negotiation took too long')),
      context.timeouts.negotiationMs,
    )
    this.negotiationTimer.unref?.()
  }

  // --------------------------------------------------------------- for auth mechanisms and hosts

  /** Where the stream is now: negotiating, established, closing or closed. */
  get phase(): SessionPhase {
    return this.currentPhase
  }

  /** The current stream id: ours on an inbound stream, the peer's on an outbound one. */
  get streamId(): string {
    return this.currentStreamId
  }

  /** The peer's latest header. */
  get peerHeader(): PeerHeader | undefined {
    return this.latestPeerHeader
  }

  /** What TLS established (and our verdict on the peer's certificate); undefined in clear. */
  get tls(): TlsState | undefined {
    return this.tlsState
  }

  /**
   * XEP-0288 was negotiated: besides the usual direction, this stream carries
   * stanzas from the peer's authenticated domains to ours (outbound) or from
   * ours to the peer's (inbound), each checked against the pairs authenticated here.
   */
  get bidi(): boolean {
    return this.bidiNegotiated
  }

  /** The local domain of the stream header (ours: `from` outbound, `to` inbound). */
  abstract get localDomain(): string
  /** The remote domain of the stream header, when the peer named itself. */
  abstract get remoteDomain(): string | undefined

  /** Writes one element. Throws if the stream is closing or the element holds characters XML forbids. */
  send(el: Element): void {
    this.write(this.serializeForWrite(el))
  }

  /**
   * Writes a stanza after checking that its `from`/`to` domains are a pair
   * authenticated on this stream: a stream authenticated for one domain never
   * carries stanzas from another. Inbound streams carry stanzas back only
   * when XEP-0288 was negotiated. `tracking` comes back with the stanza in
   * `unacknowledged` if the stream dies first; its receipt hears the peer's ack.
   * A {@link SerializedStanza} goes out as the text it holds.
   */
  sendStanza(stanza: Element | SerializedStanza, tracking?: StanzaTracking): void {
    if (this.direction === 'inbound' && !this.bidi) {
      throw new StreamError('invalid-from', 'an inbound stream without XEP-0288 carries no stanzas back')
    }
    const serialized = SerializedStanza.is(stanza) ? stanza : undefined
    const from = serialized ? serialized.fromDomain : domainOfAddress((stanza as Element).attrs.from ?? '')
    const to = serialized ? serialized.toDomain : domainOfAddress((stanza as Element).attrs.to ?? '')
    if (!from || !to || !this.isAuthenticated(from, to)) {
      throw new StreamError('invalid-from', `stream is not authenticated for ${from ?? '?'} -> ${to ?? '?'}`)
    }
    if (this.phase !== 'established') throw new StreamError('reset', 'the stream is not established')
    const text = serialized ? serialized.text : this.serializeForWrite(stanza as Element)
    const startInTurn = this.write(text)
    this.stats.stanzasOut++
    const counted = this.sm?.sent(text, startInTurn, tracking) ?? false
    if (!counted && !this.headerSent) {
      const element = serialized ? serialized.toElement() : (stanza as Element)
      this.heldStanzas.push({ stanza: element, expiresAt: tracking?.expiresAt, receipt: tracking?.receipt })
    }
  }

  /**
   * Whether a stanza written now stays within the XEP-0198 window and within half the output
   * a stream may hold unread. When false, wait for `acked` or `writable`: a writer that goes
   * on regardless fails the stream (past the window, or past `maxBufferedBytes`).
   */
  get canSendStanza(): boolean {
    const can =
      !this.sm?.windowFull &&
      this.backlog + this.pendingWrites.length < this.context.limits.maxBufferedBytes / 2
    // A writer was turned away: it waits for `writable` (or `acked`).
    if (!can) this.writerWaiting = true
    return can
  }

  /**
   * Stanzas this stream cannot vouch for: written and not acknowledged (XEP-0198), or
   * still waiting for our header after a restart (never on the wire if the stream dies).
   */
  get unacknowledged(): UnacknowledgedStanza[] {
    const written = this.sm?.unacknowledged ?? []
    return this.heldStanzas.length === 0 ? written : [...this.heldStanzas, ...written]
  }

  /** How many stanzas `unacknowledged` would list, without parsing them. */
  get unacknowledgedCount(): number {
    return this.heldStanzas.length + (this.sm?.unacknowledgedCount ?? 0)
  }

  /** Authorises a domain pair on this stream; mechanisms reach it through their auth view only. */
  protected grant(local: string, remote: string, mechanism: string): void {
    const key = pairKey(local, remote)
    if (this.pairs.has(key)) return
    const pair = { local, remote, mechanism }
    this.pairs.set(key, pair)
    this.context.logger.info({ direction: this.direction, ...pair }, 's2s domain pair authenticated')
    // Established first: whoever hears `authenticated` may send on the stream at once.
    this.markEstablished()
    this.emit('authenticated', pair)
  }

  /** Whether the domain pair (local, remote) is authorised on this stream. */
  isAuthenticated(local: string, remote: string): boolean {
    // Asked for every stanza, nearly always about the pair asked about last (pairs are never revoked).
    return this.authenticatedPair(local, remote) !== undefined
  }

  /** The pair (local, remote) as authorised on this stream, or undefined when it is not. */
  private authenticatedPair(local: string, remote: string): AuthenticatedPair | undefined {
    const last = this.lastPair
    if (last !== undefined && local === last.local && remote === last.remote) return last
    const pair = this.pairs.get(pairKey(local, remote))
    if (pair !== undefined) this.lastPair = pair
    return pair
  }

  /** The domain pairs authorised on this stream so far, in order. */
  get authenticatedPairs(): readonly AuthenticatedPair[] {
    return [...this.pairs.values()]
  }

  /** Whether any domain pair is authenticated here; unlike `authenticatedPairs`, allocates nothing. */
  get hasAuthenticatedPairs(): boolean {
    return this.pairs.size > 0
  }

  /**
   * Resolves with the next top-level element that `match` accepts, which is
   * then not dispatched elsewhere. Rejects on timeout or when the stream closes.
   */
  nextElement(match: (el: Element) => boolean, timeoutMs: number): Promise<Element> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter)
          reject(
            new NegotiationError(
              'TIMEOUT',
              `no answer from ${this.remoteDomain ?? 'peer'} in ${timeoutMs} ms`,
            ),
          )
        }, timeoutMs),
      }
      this.waiters.push(waiter)
    })
  }

  /**
   * Closes the stream: optional `<stream:error/>`, then our `</stream:stream>`;
   * waits for the peer's closing tag (RFC 6120 §4.4) for at most `closeMs`.
   */
  close(error?: StreamError | StreamErrorCondition, text?: string): Promise<CloseInfo> {
    const streamError = typeof error === 'string' ? new StreamError(error, text) : error
    if (this.phase === 'closed' || this.phase === 'closing') return this.closedPromise
    this.currentPhase = 'closing'
    this.closeError ??= streamError
    this.clearTimers()
    // Armed first: whatever happens while writing, the socket ends.
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.context.timeouts.closeMs)
    this.closeTimer.unref?.()
    if (this.socket.writable) {
      // RFC 6120 §4.9.1.2: an error before our header still needs a header first.
      if (!this.headerSent) this.sendHeader()
      if (streamError) this.write(serialize(streamErrorElement(streamError)))
      this.writeClosingTag()
    }
    return this.closedPromise
  }

  /** Resolves once the stream is gone. */
  get closed(): Promise<CloseInfo> {
    return this.closedPromise
  }

  // --------------------------------------------------------------- for subclasses

  /**
   * What auth mechanisms see of this stream (the contract of @xmpp-federation/interface):
   * one object per stream, so mechanisms may key state on it.
   */
  protected abstract readonly authView: AuthStream

  /** The header values this side writes (ids, from, to). */
  protected abstract headerFields(): HeaderFields
  /** Called with each peer header (initial and after every restart). */
  protected abstract onPeerHeader(header: PeerHeader): void
  /** Negotiation elements of this role (features, starttls, proceed, SASL...). Return true when handled. */
  protected abstract negotiate(el: Element): boolean
  /**
   * Checks an incoming stanza; returns the stream error to close with, or undefined to deliver it.
   * `addresses` are its `from` and `to`, parsed once for every stage (see acceptStanza).
   */
  protected abstract checkStanza(stanza: Element, addresses: StanzaAddresses): StreamError | undefined

  /** Writes our opening stream header; subclasses call it when their side of the exchange is due. */
  protected sendHeader(): void {
    this.headerSent = true
    this.write(openingHeader(this.headerFields()))
  }

  /** Replaces the socket (TLS upgrade) and/or restarts the stream with a fresh parser (RFC 6120 §4.3.3). */
  protected restart(socket?: Duplex): void {
    if (socket && socket !== this.socket) {
      this.detach(this.socket)
      this.socket.off('drain', this.onDrain)
      this.readingPaused = false
      this.socket = socket
      this.attach(socket)
    }
    this.headerSent = false
    this.parser = this.createParser()
  }

  /** The peer named itself: its stanzas get its domain's byte budget from now on. */
  protected applyPeerLimits(): void {
    this.parser.setMaxStanzaBytes(this.context.maxStanzaBytesFor(this.remoteDomain))
  }

  /** Drops whatever arrives until `restart()`: bytes after `<starttls/>` must not be read in clear. */
  protected stopReading(): void {
    this.parser = this.createParser()
    this.ignoreInput = true
  }

  /** Moves a negotiating stream to established: stops the negotiation timer, starts keepalives. */
  protected markEstablished(): void {
    if (this.phase !== 'negotiating') return
    this.currentPhase = 'established'
    clearTimeout(this.negotiationTimer)
    this.startKeepalive()
    this.emit('established')
    const early = this.earlyStanzas
    this.earlyStanzas = []
    // Each stanza may close the stream (a refused one does): read the phase live, not narrowed.
    for (const stanza of early) if (this.currentPhase === 'established') this.acceptStanza(stanza)
  }

  /**
   * The check every stanza the peer sends us passes, on either side of a stream: valid
   * addresses, `to` one of ours, `from` in a domain authenticated here for that `to`.
   */
  protected checkAddressedPair(addresses: StanzaAddresses): StreamError | undefined {
    const from = addresses.from?.domain
    const to = addresses.to?.domain
    if (!from || !to) return new StreamError('improper-addressing', 'stanza lacks a valid from or to address')
    if (!this.context.localDomains.has(to)) return new StreamError('host-unknown', `${to} is not served here`)
    if (!this.isAuthenticated(to, from)) {
      return new StreamError('invalid-from', `${from} is not authenticated for ${to} on this stream`)
    }
    return undefined
  }

  /** Outbound bidi overrides this: the peer may send before our side has finished authenticating. */
  protected holdsEarlyStanzas(): boolean {
    return false
  }

  /** After a restart, once our new header and features are written: what waited for them follows. */
  protected releaseHeldWrites(): void {
    const held = this.heldUntilHeader
    if (held === '') return
    this.heldUntilHeader = ''
    this.heldStanzas = []
    this.write(held)
  }

  /** Ends negotiation or the stream with an error: stream errors are sent, others just close. */
  protected fail(error: Error): void {
    if (this.phase === 'closed' || this.phase === 'closing') return
    this.closeError = error
    if (error instanceof StreamError && error.origin === 'local') void this.close(error)
    else void this.close()
  }

  /** Drops the connection without writing anything more: the channel cannot be trusted. */
  protected failSilently(error: Error): void {
    if (this.phase === 'closed') return
    this.closeError = error
    this.currentPhase = 'closing'
    this.clearTimers()
    this.socket.destroy()
  }

  /** The socket now in use: the TLS socket once TLS is up. */
  protected get currentSocket(): Duplex {
    return this.socket
  }

  // --------------------------------------------------------------- internals

  /** An element's text, once the stream may still write (throws if closing or not XML). */
  private serializeForWrite(el: Element): string {
    if (this.phase === 'closing' || this.phase === 'closed') {
      throw new StreamError('reset', 'the stream is closed')
    }
    return serialize(el)
  }

  private createParser(): XmlStreamParser {
    const parser: XmlStreamParser = new XmlStreamParser(
      {
        onStreamStart: (header) => this.parser === parser && this.onStreamStart(header),
        onElement: (el) => this.parser === parser && this.onElement(el),
        onStreamEnd: () => this.parser === parser && this.onStreamEnd(),
        onError: (err) => this.parser === parser && this.fail(err),
      },
      {
        maxStanzaBytes: this.context.maxStanzaBytesFor(this.remoteDomain),
        maxDepth: this.context.limits.maxDepth,
      },
    )
    this.ignoreInput = false
    return parser
  }

  private readonly onData = (chunk: Buffer): void => {
    this.stats.bytesIn += chunk.length
    if (this.ignoreInput || this.phase === 'closed') return
    this.touchIdle()
    this.parser.write(chunk)
  }

  private readonly onSocketEnd = (): void => {
    // The peer half-closed without </stream:stream>: answer and finish.
    if (this.phase !== 'closing' && this.phase !== 'closed') this.closeInitiator = 'remote'
    this.flushWrites()
    this.socket.end()
  }

  private readonly onSocketError = (err: Error): void => {
    this.context.logger.debug({ error: err.message }, 's2s socket error')
    this.closeError ??= err
  }

  private readonly onSocketClose = (): void => this.finish()

  private attach(socket: Duplex): void {
    socket.on('data', this.onData)
    socket.on('end', this.onSocketEnd)
    socket.on('error', this.onSocketError)
    socket.on('close', this.onSocketClose)
  }

  private detach(socket: Duplex): void {
    socket.off('data', this.onData)
    socket.off('end', this.onSocketEnd)
    socket.off('error', this.onSocketError)
    socket.off('close', this.onSocketClose)
  }

  private onStreamStart(header: StreamHeader): void {
    const peer = readPeerHeader(header)
    if ('error' in peer) {
      this.fail(new StreamError(peer.error, `bad stream header (${peer.error})`))
      return
    }
    this.latestPeerHeader = peer
    this.emit('header', peer)
    this.onPeerHeader(peer)
  }

  private onElement(el: Element): void {
    // A stream error (ours or the peer's) ends the stream: what the peer pipelined
    // behind it is never processed (RFC 6120 §4.9.1.1), not even from a pair
    // authenticated earlier. A graceful close still reads what the peer finishes sending.
    if (this.closeError !== undefined) return
    const waiter = this.waiters.find((w) => w.match(el))
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter)
      clearTimeout(waiter.timer)
      waiter.resolve(el)
      return
    }
    if (isStreamError(el)) {
      this.closeInitiator = 'remote'
      this.closeError = parseStreamError(el)
      this.context.logger.warn({ error: this.closeError.message }, 'peer sent a stream error')
      return // its </stream:stream> follows; onStreamEnd answers it
    }
    // XEP-0198 §3-4: stream management only on an authenticated stream. Before that an
    // <r/> would be answered in clear, unauthenticated, as fast as the peer can ask.
    if (el.attrs.xmlns === NS_SM && this.sm && this.hasAuthenticatedPairs) {
      this.onStreamManagement(this.sm, el)
      return
    }
    if (this.negotiate(el)) return
    for (const mechanism of this.context.auth) {
      if (mechanism.handle?.(this.authView, el)) return
    }
    if (STANZA_NAMES.has(el.name) && el.attrs.xmlns === NS.server) {
      // Counted in arrival order (XEP-0198 h), even when checked later.
      this.sm?.received()
      if (this.phase === 'negotiating' && this.holdsEarlyStanzas()) this.holdEarly(el)
      else this.acceptStanza(el)
      return
    }
    this.fail(new StreamError('unsupported-stanza-type', `unexpected <${el.name} xmlns='${el.attrs.xmlns}'>`))
  }

  private acceptStanza(stanza: Element): void {
    // Parsed here once: the checks, the canonical rewrite and the listener's pair all come from it.
    const addresses = readStanzaAddresses(stanza)
    const refusal = this.checkStanza(stanza, addresses)
    if (refusal) {
      this.fail(refusal)
      return
    }
    const { from, to } = addresses
    // checkAddressedPair let it through: both addresses are valid, their pair authenticated here.
    const pair = from && to && this.authenticatedPair(to.domain, from.domain)
    if (!pair) {
      this.fail(new StreamError('improper-addressing', 'stanza lacks an authenticated from/to pair'))
      return
    }
    this.stats.stanzasIn++
    // In canonical form (RFC 7622 §3.2), wherever it is compared after this: host, policy, services.
    stanza.attrs.from = from.address
    stanza.attrs.to = to.address
    this.emit('stanza', stanza, pair)
  }

  private holdEarly(stanza: Element): void {
    if (this.earlyStanzas.length >= MAX_EARLY_STANZAS) {
      this.fail(new StreamError('policy-violation', 'too many stanzas before authentication completed'))
      return
    }
    this.earlyStanzas.push(stanza)
  }

  /** XEP-0198 elements: `<enable/>` (receiving side), `<enabled/>`/`<failed/>` (initiating), `<r/>` and `<a/>` (both). */
  private onStreamManagement(sm: StreamManagement, el: Element): void {
    if (this.direction === 'outbound' && (el.name === 'enabled' || el.name === 'failed')) {
      if (el.name === 'enabled') sm.confirmed()
      else sm.refused()
      return
    }
    if (el.name === 'enable') {
      const allowed = this.direction === 'inbound' && this.hasAuthenticatedPairs && !sm.enabled
      if (allowed) {
        sm.enable()
        this.send(new Element('enabled', { xmlns: NS_SM }))
      } else {
        const failed = new Element('failed', { xmlns: NS_SM })
        failed.c('unexpected-request', { xmlns: NS.stanzas })
        this.send(failed)
      }
      return
    }
    if (!sm.enabled) {
      this.fail(new StreamError('unsupported-stanza-type', `<${el.name}/> without stream management enabled`))
      return
    }
    try {
      const answer = sm.onElement(el)
      if (answer) this.send(answer)
    } catch (error) {
      this.fail(error as Error)
    }
  }

  private onStreamEnd(): void {
    if (this.phase !== 'closing') this.closeInitiator = 'remote'
    this.currentPhase = 'closing'
    this.clearTimers()
    this.writeClosingTag()
    this.socket.end()
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.context.timeouts.closeMs)
    this.closeTimer.unref?.()
  }

  private writeClosingTag(): void {
    if (this.closingTagSent || !this.socket.writable) return
    this.flushWrites()
    this.closingTagSent = true
    if (!this.headerSent) this.sendHeader()
    this.socket.end(CLOSING_TAG)
  }

  /**
   * Writes during negotiation go out at once (a TLS upgrade may replace the
   * socket right after). On an established stream they are joined and written
   * once per event-loop turn: one TLS record and one syscall for a burst of
   * stanzas instead of one each. Returns where `data` starts in the turn's
   * output, or -1 when it went any other way.
   */
  private write(data: string): number {
    if (this.closingTagSent || !this.socket.writable) return -1
    if (!this.headerSent && this.phase === 'established') {
      // Inbound, between SASL success and the peer's new header: nothing may precede our header.
      this.heldUntilHeader += data
      return -1
    }
    if (this.phase !== 'established') {
      this.flushWrites()
      this.writeNow(data)
      return -1
    }
    return this.writeWithTurn(data)
  }

  /**
   * The last element of a negotiation (XEP-0198 `<enable/>`, with no TLS upgrade to come):
   * written with whatever this event-loop turn writes next, so the first stanzas share its
   * flight instead of following a round trip later.
   */
  protected sendWithNextWrite(el: Element): void {
    const text = this.serializeForWrite(el)
    if (this.closingTagSent || !this.socket.writable) return
    this.writeWithTurn(text)
  }

  /** Joins `data` to what this event-loop turn writes (one TLS record and one syscall); returns where it starts. */
  private writeWithTurn(data: string): number {
    if (this.pendingWrites === '') flushNextTurn(this.flushWrites)
    const start = this.pendingWrites.length
    this.pendingWrites += data
    // A burst larger than a stream may hold goes to the socket now, where backpressure sees it.
    if (this.pendingWrites.length > this.context.limits.maxBufferedBytes) {
      this.flushWrites()
      return -1
    }
    return start
  }

  /** Writes what `write()` has collected; called before anything that must follow it on the wire. */
  private readonly flushWrites = (): void => {
    const data = this.pendingWrites
    if (data === '') return
    this.pendingWrites = ''
    if (!this.closingTagSent && this.socket.writable) this.writeNow(data)
    // Written (and so flattened): the stanzas held for a resend keep their place in it.
    this.sm?.turnWritten(data)
    if (this.currentPhase === 'established' && !this.readingPaused) this.emitWritable()
  }

  private emitWritable(): void {
    if (!this.writerWaiting) return
    this.writerWaiting = false
    this.emit('writable')
  }

  private writeNow(data: string): void {
    this.stats.bytesOut += Buffer.byteLength(data)
    this.lastWrite = Date.now()
    const accepted = this.socket.write(data)
    this.checkBacklog()
    if (!accepted) this.pauseReading()
  }

  /**
   * Write backpressure: what the peer has not read stays in our memory. Past the
   * stream's own limit, or while the process's budget is spent and this stream holds
   * more than its share, the stream is closed with resource-constraint.
   */
  private checkBacklog(): void {
    const backlog = this.socket.writableLength
    this.context.output.update(this.backlog, backlog)
    this.backlog = backlog
    if (this.phase === 'closing' || this.phase === 'closed') return
    const { maxBufferedBytes } = this.context.limits
    if (backlog > maxBufferedBytes) {
      this.fail(new StreamError('resource-constraint', `the peer left ${backlog} bytes unread`))
    } else if (this.context.output.exhausted && backlog > FAIR_SHARE) {
      this.fail(
        new StreamError('resource-constraint', `output budget spent; the peer left ${backlog} bytes unread`),
      )
    }
  }

  /** The socket pushes back: read nothing more (nothing to answer) until it drains. */
  private pauseReading(): void {
    if (this.readingPaused) return
    this.readingPaused = true
    this.socket.pause()
    this.socket.once('drain', this.onDrain)
  }

  private readonly onDrain = (): void => {
    this.readingPaused = false
    this.checkBacklog()
    if (this.phase !== 'closed') this.socket.resume()
    if (this.currentPhase === 'established') this.emitWritable()
  }

  private startKeepalive(): void {
    const { keepaliveMs } = this.context.timeouts
    if (keepaliveMs > 0) {
      this.keepaliveTimer = setInterval(() => {
        if (Date.now() - this.lastWrite >= keepaliveMs) this.write(' ')
      }, keepaliveMs)
      this.keepaliveTimer.unref?.()
    }
    this.touchIdle()
  }

  private touchIdle(): void {
    const { idleMs } = this.context.timeouts
    if (idleMs <= 0 || this.phase !== 'established') return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(
      () => this.fail(new StreamError('connection-timeout', 'peer went silent')),
      idleMs,
    )
    this.idleTimer.unref?.()
  }

  private clearTimers(): void {
    clearTimeout(this.negotiationTimer)
    clearInterval(this.keepaliveTimer)
    clearTimeout(this.idleTimer)
    // XEP-0198's ack-request timer too: firing on a closing stream, send() would throw in a timer.
    this.sm?.stop()
  }

  private finish(): void {
    if (this.phase === 'closed') return
    this.currentPhase = 'closed'
    this.clearTimers()
    this.sm?.stop()
    clearTimeout(this.closeTimer)
    this.context.output.update(this.backlog, 0)
    this.backlog = 0
    const error = this.closeError
    const pending = this.waiters
    this.waiters = []
    for (const waiter of pending) {
      clearTimeout(waiter.timer)
      waiter.reject(error ?? new NegotiationError('CLOSED', 'the stream closed'))
    }
    const info: CloseInfo = { error, initiator: this.closeInitiator }
    this.context.logger.debug(
      {
        direction: this.direction,
        remote: this.remoteDomain,
        error: error?.message,
      },
      's2s stream closed',
    )
    this.resolveClosed(info)
    this.emit('closed', info)
  }
}

function pairKey(local: string, remote: string): string {
  return `${local} ${remote}`
}
