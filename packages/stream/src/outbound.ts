import { connect as netConnect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { Element } from 'ltx'
import type { OutboundAuthStream } from './auth.js'
import { OutboundView, type ViewedOutbound } from './auth-view.js'
import type { StreamContext } from './context.js'
import { requireDomain, type StanzaAddresses } from './domain.js'
import { NegotiationError, StreamError } from './errors.js'
import type { PeerHeader } from './header.js'
import { NS } from './namespaces.js'
import { S2SSession } from './session.js'
import { NS_SM } from './stream-management.js'
import { handshake, inspectTls, startClientTls } from './tls-upgrade.js'

/** What connectStream needs: the shared context, the domain pair and where to connect. */
export interface ConnectOptions {
  context: StreamContext
  /** Our domain: the stream's `from`. */
  localDomain: string
  /** The peer's domain: the stream's `to`, the TLS SNI and the name its certificate must carry. */
  remoteDomain: string
  /** Where to connect (from SRV/A resolution or a static route). */
  host: string
  port: number
  /** XEP-0368: TLS from the first byte (ALPN `xmpp-server`) instead of STARTTLS. */
  directTls?: boolean
  /** An already connected socket to use instead of dialing `host:port` (the host owns the sockets). */
  socket?: Socket
  /**
   * false: resolve once TLS and features are negotiated, without authenticating.
   * Such a stream carries no stanzas; dialback uses it for `db:verify` (XEP-0220 §2.3).
   */
  authenticate?: boolean
  /** Called with the session before it says a word, to watch its events (e.g. `features` for diagnostics). */
  onSession?: (session: OutboundSession) => void
}

/**
 * Opens an authenticated outbound stream: connect, header, features, STARTTLS,
 * restart, authentication (the context's mechanisms in order), ready.
 * Rejects with a NegotiationError or StreamError saying why it could not.
 */
export async function connectStream(options: ConnectOptions): Promise<OutboundSession> {
  const { context } = options
  const localDomain = requireDomain(options.localDomain, 'local domain')
  const remoteDomain = requireDomain(options.remoteDomain, 'remote domain')
  const security = context.securityFor(remoteDomain)
  if (options.directTls && (security.tls === 'none' || !context.tls)) {
    throw new NegotiationError('TLS_FAILED', 'direct TLS needs TLS enabled and a certificate')
  }
  const raw = options.socket ?? (await dial(options.host, options.port, context.timeouts.connectMs))
  let socket: Duplex = raw
  if (options.directTls) {
    const secure = startClientTls(raw, {
      servername: remoteDomain,
      context: context.tls?.contextFor(localDomain),
      alpn: true,
    })
    // A server that takes our ClientHello and goes silent must not hold the connect forever.
    const { negotiationMs } = context.timeouts
    const timeout = new NegotiationError(
      'TIMEOUT',
      `direct TLS to ${remoteDomain}: no handshake in ${negotiationMs} ms`,
    )
    const timer = setTimeout(() => secure.destroy(timeout), negotiationMs)
    try {
      await handshake(secure, 'client')
    } catch (err) {
      secure.destroy()
      if (err === timeout) throw timeout
      throw new NegotiationError(
        'TLS_FAILED',
        `direct TLS to ${remoteDomain} failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    } finally {
      clearTimeout(timer)
    }
    socket = secure
  }
  const session = new OutboundSession(
    socket,
    context,
    localDomain,
    remoteDomain,
    options.authenticate ?? true,
  )
  options.onSession?.(session)
  session.start()
  await session.ready
  return session
}

/** TCP connect with a timeout; TCP_NODELAY because stanzas are small and latency matters. */
function dial(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port })
    socket.setNoDelay(true)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new NegotiationError('TIMEOUT', `connect to ${host}:${port} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(
        new NegotiationError('CONNECT_FAILED', `connect to ${host}:${port} failed: ${err.message}`, {
          cause: err,
        }),
      )
    })
  })
}

/** The initiating side of an s2s stream: it sends stanzas from `localDomain` to `remoteDomain`. */
export class OutboundSession extends S2SSession {
  readonly direction = 'outbound' as const
  /** Resolves when the stream is authenticated; rejects if it closes first. */
  readonly ready: Promise<void>
  private latestFeatures: Element | undefined
  private negotiating = false
  /** XEP-0288: per remote domain, whether the peer's certificate names it (asked once per domain). */
  private readonly certified = new Map<string, boolean>()

  constructor(
    socket: Duplex,
    context: StreamContext,
    private readonly local: string,
    private readonly remote: string,
    private readonly authenticates = true,
  ) {
    super(socket, context)
    // XEP-0288 brings stanzas back on this stream: they get the remote domain's byte budget.
    this.applyPeerLimits()
    if ('encrypted' in socket && (socket as TLSSocket).encrypted && context.tls) {
      this.adoptTls(socket as TLSSocket)
    }
    this.ready = new Promise<void>((resolve, reject) => {
      this.once('established', () => resolve())
      this.once('closed', ({ error }) =>
        reject(
          error ?? new NegotiationError('CLOSED', `${this.remote} closed the stream during negotiation`),
        ),
      )
    })
    // The caller awaits `ready`; make sure an unobserved rejection is never fatal.
    this.ready.catch(() => {})
  }

  get localDomain(): string {
    return this.local
  }

  /** The peer's latest `<stream:features/>`. */
  get features(): Element | undefined {
    return this.latestFeatures
  }

  // The view calls this session's protected grant() and private restartStream(): the cast lends them.
  protected readonly authView: OutboundAuthStream = new OutboundView(
    this as unknown as ViewedOutbound,
    this.context,
  )

  /**
   * Authorises one more (local, remote) pair on this established stream through
   * the first mechanism that can (XEP-0220 §2.6 piggybacking, with dialback).
   * Rejects with that mechanism's error, or a TypeError when none can.
   */
  requestPair(local: string, remote: string = this.remote): Promise<void> {
    const mechanism = this.context.auth.find((candidate) => candidate.addPair)
    if (!mechanism?.addPair) {
      return Promise.reject(new TypeError('no auth mechanism of this stream can add a domain pair'))
    }
    return mechanism.addPair(this.authView, local, remote)
  }

  get remoteDomain(): string {
    return this.remote
  }

  /**
   * Sends our stream header on the connected socket; connectStream calls it, a host that supplies its own
   * socket may too.
   */
  start(): void {
    this.sendHeader()
  }

  /**
   * Restarts the stream after SASL success (RFC 6120 §6.4.6): fresh parser,
   * new header, and the post-authentication features, which it resolves with.
   */
  protected restartStream(): Promise<Element> {
    const features = this.nextElement(isFeatures, this.context.timeouts.negotiationMs).then((after) => {
      this.latestFeatures = after
      this.emit('features', after)
      return after
    })
    this.restart()
    this.sendHeader()
    return features
  }

  protected headerFields() {
    return { from: this.local, to: this.remote }
  }

  protected onPeerHeader(header: PeerHeader): void {
    this.currentStreamId = header.id ?? ''
    // A pre-1.0 peer sends no features (RFC 6120 §4.7.5): only dialback can follow.
    if (!header.version) void this.negotiateFeatures(new Element('features', { xmlns: NS.stream }))
  }

  protected negotiate(el: Element): boolean {
    if (!isFeatures(el)) return false
    void this.negotiateFeatures(el)
    return true
  }

  protected checkStanza(_stanza: Element, addresses: StanzaAddresses): StreamError | undefined {
    // Without XEP-0288 a stream carries stanzas in one direction only.
    if (!this.bidi) return new StreamError('not-authorized', 'stanzas are not accepted on an outbound stream')
    const refusal = this.checkAddressedPair(addresses)
    if (refusal) return refusal
    // A pair piggybacked later (dialback) names a domain we reach through this peer, not one
    // it proved to be: only what its certificate names may speak back.
    const from = addresses.from!.domain
    if (!this.certifiedAsPeer(from)) {
      return new StreamError('invalid-from', `the peer's certificate does not name ${from}`)
    }
    return undefined
  }

  private certifiedAsPeer(domain: string): boolean {
    let certified = this.certified.get(domain)
    if (certified === undefined) {
      certified = this.tls?.peerCertificate?.validFor(domain) ?? false
      this.certified.set(domain, certified)
    }
    return certified
  }

  protected override holdsEarlyStanzas(): boolean {
    return this.bidi
  }

  /**
   * XEP-0288: ask for a bidirectional stream when the peer offers one and its
   * certificate names its domain; what it sends back is then as authenticated
   * as the peer itself. Never on a verification stream, which carries no stanzas.
   */
  private requestBidi(features: Element): void {
    if (!this.authenticates || !this.context.bidi || !features.getChild('bidi', NS.bidiFeature)) return
    if (!this.tls?.peerCertificate?.validFor(this.remote)) return
    this.send(new Element('bidi', { xmlns: NS.bidi }))
    this.bidiNegotiated = true
  }

  private async negotiateFeatures(features: Element): Promise<void> {
    if (this.negotiating || this.phase !== 'negotiating') return
    this.negotiating = true
    this.latestFeatures = features
    this.emit('features', features)
    try {
      const security = this.context.securityFor(this.remote)
      if (!this.tls) {
        const starttls = features.getChild('starttls', NS.tls)
        if (starttls && security.tls !== 'none' && this.context.tls) {
          await this.startTls()
          return // the restarted stream brings new features
        }
        if (security.tls === 'required') {
          // A stripped or missing STARTTLS: leave without writing another byte.
          this.abort(
            new NegotiationError('TLS_REQUIRED', `${this.remote} did not offer STARTTLS and TLS is required`),
          )
          return
        }
        if (starttls?.getChild('required')) {
          throw new NegotiationError('TLS_REQUIRED', `${this.remote} requires TLS and our TLS mode is "none"`)
        }
      }
      this.requestBidi(features)
      if (this.authenticates) await this.authenticate(features)
      else this.markEstablished()
    } catch (err) {
      this.fail(err as Error)
    } finally {
      this.negotiating = false
    }
  }

  private async startTls(): Promise<void> {
    const answer = this.nextElement((el) => el.attrs.xmlns === NS.tls, this.context.timeouts.negotiationMs)
    this.send(new Element('starttls', { xmlns: NS.tls }))
    const reply = await answer
    if (reply.name !== 'proceed') throw new NegotiationError('TLS_FAILED', `${this.remote} refused STARTTLS`)
    // Nothing the peer sent in clear after <proceed/> may be read as XML.
    this.stopReading()
    const secure = startClientTls(this.currentSocket, {
      servername: this.remote,
      context: this.context.tls?.contextFor(this.local),
    })
    this.restart(secure)
    try {
      await handshake(secure, 'client')
    } catch (err) {
      throw new NegotiationError('TLS_FAILED', `TLS with ${this.remote} failed: ${(err as Error).message}`, {
        cause: err,
      })
    }
    if (!this.adoptTls(secure)) return
    this.sendHeader()
  }

  /** Records TLS state and enforces the certificate rule; false when the stream was aborted. */
  private adoptTls(socket: TLSSocket): boolean {
    const tls = inspectTls(socket, this.context.tls!.anchors, 'client')
    this.tlsState = tls
    if (
      this.context.securityFor(this.remote).requireValidCertificate &&
      !tls.peerCertificate?.validFor(this.remote)
    ) {
      const why = !tls.peerCertificate
        ? 'no certificate'
        : !tls.peerCertificate.chain.ok
          ? tls.peerCertificate.chain.message
          : `the certificate does not name ${this.remote}`
      this.abort(
        new NegotiationError('CERT_INVALID', `${this.remote} presented an unacceptable certificate: ${why}`),
      )
      return false
    }
    this.emit('secured', tls)
    return true
  }

  private async authenticate(features: Element): Promise<void> {
    const reasons: string[] = []
    for (const mechanism of this.context.auth) {
      if (!mechanism.authenticate) continue
      const outcome = await mechanism.authenticate(this.authView, features)
      if (this.phase !== 'negotiating') return
      if (outcome.status === 'authenticated') {
        this.requestStreamManagement()
        this.grant(this.local, this.remote, mechanism.name)
        return
      }
      reasons.push(`${mechanism.name}: ${outcome.reason}`)
    }
    const error = new NegotiationError(
      reasons.length ? 'AUTH_FAILED' : 'NO_AUTH_MECHANISM',
      `could not authenticate ${this.local} to ${this.remote}${reasons.length ? ` (${reasons.join('; ')})` : ''}`,
    )
    this.fail(error)
  }

  /**
   * XEP-0198 when the peer offers it after authentication: acks let the router
   * resend what a broken link leaves unacknowledged. Stanzas may follow
   * `<enable/>` at once (counting starts there), so the stream does not wait
   * a round trip for `<enabled/>`. A refusal is not fatal.
   */
  private requestStreamManagement(): void {
    const sm = this.sm
    if (!sm || !this.features?.getChild('sm', NS_SM)) return
    // The answer is handled as it is parsed (S2SSession), not after a promise:
    // the peer's stanzas right behind `<enabled/>` must already be counted.
    this.sendWithNextWrite(new Element('enable', { xmlns: NS_SM }))
    sm.requested()
  }

  /** Ends the connection without another byte of XML (used when the channel cannot be trusted). */
  private abort(error: Error): void {
    this.failSilently(error)
  }
}

function isFeatures(el: Element): boolean {
  return el.name === 'features' && el.attrs.xmlns === NS.stream
}
