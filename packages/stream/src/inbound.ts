import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { Element } from 'ltx'
import type { InboundAuthStream } from './auth.js'
import { InboundView, type ViewedSession } from './auth-view.js'
import type { StreamContext } from './context.js'
import { normalizeDomain, type StanzaAddresses } from './domain.js'
import { NegotiationError, StreamError } from './errors.js'
import type { PeerHeader } from './header.js'
import { NS } from './namespaces.js'
import type { SecurityPolicy } from './security.js'
import { S2SSession } from './session.js'
import { NS_SM } from './stream-management.js'
import { handshake, inspectTls, startServerTls } from './tls-upgrade.js'

/**
 * Takes an accepted socket and runs the receiving side of an s2s stream on it.
 * For XEP-0368 direct TLS pass `directTls: true`: the TLS handshake comes first.
 * The host owns the listening socket (`net.createServer(s => acceptStream(s, ctx))`).
 */
export function acceptStream(
  socket: Duplex,
  context: StreamContext,
  options: { directTls?: boolean } = {},
): InboundSession {
  if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true)
  return new InboundSession(socket, context, options.directTls ?? false)
}

/** The receiving side of an s2s stream: stanzas flow from the peer's domains to ours. */
export class InboundSession extends S2SSession {
  readonly direction = 'inbound' as const
  private to: string | undefined
  private from: string | undefined
  private securing = false
  private restartTimer: NodeJS.Timeout | undefined

  constructor(socket: Duplex, context: StreamContext, directTls: boolean) {
    super(socket, context)
    if (directTls) void this.secure()
  }

  get localDomain(): string {
    return this.to ?? ''
  }

  get remoteDomain(): string | undefined {
    return this.from
  }

  /** Security required towards the peer, once it has named itself. */
  get security(): SecurityPolicy {
    return this.context.securityFor(this.from)
  }

  // The view calls this session's protected grant() and private restartStream(): the cast lends them.
  protected readonly authView: InboundAuthStream = new InboundView(
    this as unknown as ViewedSession<void>,
    this.context,
  )

  /**
   * Expects the peer to restart the stream (after SASL success, RFC 6120
   * §6.4.6): the next bytes are a new header, answered with a new stream id.
   */
  protected restartStream(): void {
    this.restart()
    // Authenticated but silent: what we write meanwhile waits for the new header, so it may not wait forever.
    this.restartTimer = setTimeout(
      () => this.fail(new StreamError('connection-timeout', 'the peer did not restart the stream')),
      this.context.timeouts.negotiationMs,
    )
    this.restartTimer.unref?.()
  }

  protected headerFields() {
    return { from: this.to, to: this.from, id: this.streamId }
  }

  protected onPeerHeader(header: PeerHeader): void {
    clearTimeout(this.restartTimer)
    const refusal = this.acceptAddresses(header)
    // A fresh id for every stream header we answer (RFC 6120 §4.7.3).
    this.currentStreamId = randomBytes(12).toString('base64url')
    if (refusal) {
      this.fail(refusal)
      return
    }
    this.applyPeerLimits()
    this.sendHeader()
    // A pre-1.0 peer gets no features (RFC 6120 §4.7.5) and may only use dialback.
    if (header.version) this.send(this.features())
    this.releaseHeldWrites()
  }

  protected negotiate(el: Element): boolean {
    if (el.name === 'starttls' && el.attrs.xmlns === NS.tls) {
      this.onStartTls()
      return true
    }
    if (!this.tls && this.security.tls === 'required') {
      // RFC 6120 §5.3.1: with TLS mandatory-to-negotiate nothing else is processed in clear.
      const condition = STANZAS.has(el.name) ? 'not-authorized' : 'policy-violation'
      this.fail(new StreamError(condition, 'STARTTLS is required before anything else'))
      return true
    }
    if (el.name === 'bidi' && el.attrs.xmlns === NS.bidi && this.offersBidi()) {
      // XEP-0288 §2: asked before authentication; the pairs authenticated next work both ways.
      this.bidiNegotiated = true
      this.context.logger.debug({ remote: this.from }, 's2s stream is bidirectional (XEP-0288)')
      return true
    }
    return false
  }

  /** XEP-0288 is offered before authentication, over TLS unless the policy does without it. */
  private offersBidi(): boolean {
    return (
      this.context.bidi &&
      !this.hasAuthenticatedPairs &&
      (this.tls !== undefined || this.security.tls !== 'required')
    )
  }

  protected checkStanza(_stanza: Element, addresses: StanzaAddresses): StreamError | undefined {
    if (!this.hasAuthenticatedPairs) {
      return new StreamError('not-authorized', 'stanza sent before the stream was authenticated')
    }
    return this.checkAddressedPair(addresses)
  }

  /** The header's addresses: `to` must be ours, `from` (when given) a valid domain that stays the same. */
  private acceptAddresses(header: PeerHeader): StreamError | undefined {
    const to = header.to === undefined ? undefined : normalizeDomain(header.to)
    if (!to || !this.context.localDomains.has(to)) {
      return new StreamError('host-unknown', `${header.to ?? '(no to)'} is not served here`)
    }
    if (this.to && this.to !== to) return new StreamError('host-unknown', 'the stream changed its to address')
    this.to = to
    if (header.from !== undefined) {
      const from = normalizeDomain(header.from)
      if (!from || (this.from && this.from !== from)) {
        return new StreamError('invalid-from', `unacceptable from address ${header.from}`)
      }
      this.from = from
    }
    return undefined
  }

  private features(): Element {
    const features = new Element('stream:features')
    const security = this.security
    if (!this.tls && security.tls !== 'none' && this.context.tls) {
      const starttls = features.c('starttls', { xmlns: NS.tls })
      if (security.tls === 'required') starttls.c('required')
    }
    if (this.tls || security.tls !== 'required') {
      for (const mechanism of this.context.auth) mechanism.advertise?.(this.authView, features)
    }
    if (this.offersBidi()) features.c('bidi', { xmlns: NS.bidiFeature })
    // XEP-0198 once the stream is authenticated (after the SASL restart).
    if (this.sm && this.authenticatedPairs.length > 0) features.c('sm', { xmlns: NS_SM })
    // XEP-0478: tell the peer the largest stanza we accept.
    const maxBytes = this.context.maxStanzaBytesFor(this.from)
    features.c('limits', { xmlns: NS.limits }).c('max-bytes').t(String(maxBytes))
    return features
  }

  private onStartTls(): void {
    if (this.tls || this.securing || this.security.tls === 'none' || !this.context.tls) {
      // RFC 6120 §5.4.2.2: <failure/>, then close; a failure, so nothing after it is processed.
      this.send(new Element('failure', { xmlns: NS.tls }))
      this.fail(new NegotiationError('TLS_FAILED', 'STARTTLS refused: TLS is not available on this stream'))
      return
    }
    this.send(new Element('proceed', { xmlns: NS.tls }))
    void this.secure()
  }

  /** Server-side TLS on the current socket; the peer then opens a new stream. */
  private async secure(): Promise<void> {
    this.securing = true
    // Bytes that followed <starttls/> in clear are dropped, never parsed (CVE-2011-0411 class).
    this.stopReading()
    const identity = this.context.tls!
    const fallback = identity.contextFor(this.to ?? [...this.context.localDomains][0]!)
    if (!fallback) {
      this.fail(new StreamError('internal-server-error', 'no certificate configured'))
      return
    }
    const secure: TLSSocket = startServerTls(this.currentSocket, { identity, fallback })
    this.restart(secure)
    try {
      await handshake(secure, 'server')
    } catch (err) {
      this.failSilently(
        new StreamError('policy-violation', `TLS handshake failed: ${(err as Error).message}`),
      )
      return
    }
    const tls = inspectTls(secure, identity.anchors, 'server')
    this.tlsState = tls
    this.securing = false
    this.emit('secured', tls)
  }
}

const STANZAS = new Set(['message', 'presence', 'iq'])
