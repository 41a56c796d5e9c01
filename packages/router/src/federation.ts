import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { type FederationConfig, type FederationConfigInput, parseConfig } from '@xmpp-federation/config'
import type { Decision, DecisionEvent, DomainPolicy, EmailDirectory } from '@xmpp-federation/policy'
import {
  type AddressThrottle,
  type AddressThrottleOptions,
  type AuthenticatedPair,
  type AuthMechanism,
  acceptStream,
  canonicalForm,
  connectStream,
  createAddressThrottle,
  createStreamContext,
  domainOfAddress,
  type InboundSession,
  type Logger,
  type LoggerOption,
  type OutboundSession,
  readStanzaAddresses,
  resolveLogger,
  type S2SSession,
  type StanzaErrorCondition,
  type StreamContext,
  type TlsIdentity,
} from '@xmpp-federation/stream'
import { EventEmitter } from 'eventemitter3'
import type { Element } from 'ltx'
import { checkAuthCoverage } from './auth-coverage.js'
import { errorReply, shouldReturnError } from './bounce.js'
import { CertificateDomains } from './certificate-domains.js'
import { assertClusterConfig, clusterHost, inboundInfo } from './cluster-host.js'
import type { ClusterEvent, ClusterPort } from './cluster-port.js'
import { type AuthChoice, type Clock, type FederationComponents, systemClock } from './components.js'
import { buildAuth } from './default-auth.js'
import { DomainServices, type IqHandlerRegistration } from './domain-services.js'
import { DeliveryError, UsageError } from './errors.js'
import { IdleSweeper } from './idle-sweeper.js'
import { pingRequest } from './local-service.js'
import { conditionFor, isStanza, OutboundLink } from './outbound-link.js'
import { DEFAULT_PEER_SOFTWARE, PeerSoftwareCheck, type PeerSoftwareOptions } from './peer-software-check.js'
import { createPolicyFor } from './policy-setup.js'
import type { PendingStanza } from './queue.js'
import { ListenerSet } from './reconfigure/listeners.js'
import { LiveSettings } from './reconfigure/live-settings.js'
import { Reconfigurer } from './reconfigure/reconfigurer.js'
import type { ReconfigureReport } from './reconfigure/report.js'
import { streamContextOptions } from './reconfigure/stream-context-options.js'
import { type ConnectionTarget, createResolver, type Resolver } from './resolve/index.js'
import { type DomainStatus, type FederationStatus, inboundStatus, outboundStatus } from './status.js'
import { loadTlsIdentity } from './tls-identity.js'
import { TrafficTotals } from './traffic-totals.js'
import type { BounceEvent, InboundStanzaInfo, SessionEvent } from './types.js'
import { noSuchUser, type UserDirectory } from './user-directory.js'
import { xml } from './xml.js'

/**
 * What createFederation takes: the configuration, and what a host may supply or replace
 * (authentication, policy, resolver, directories, logger, clock).
 */
export interface FederationOptions {
  /** The deployment's configuration, validated when the federation is built (errors name the field). */
  config: FederationConfigInput
  /**
   * Authentication mechanisms, in the order they are tried. Default: what the config
   * asks for — SASL EXTERNAL, then dialback keyed with `dialback.secret` where
   * `security.dialback` allows it. A list replaces the defaults; a function receives
   * them (as factories) and returns the list, to add or reorder.
   */
  auth?: AuthChoice
  /** Who may federate and how; default: `createDomainPolicy` over the config's policy sections. */
  policy?: DomainPolicy
  /** The host's user directory, required when `emailForFederation.enabled`. */
  directory?: EmailDirectory
  /** XEP-0092 peer software check: answer timeout and cache lifetime. */
  peerSoftware?: Partial<PeerSoftwareOptions>
  /** DNS/static-route resolution; default: built from the config's `dns` and `routes`. */
  resolver?: Resolver
  /** A pino-style logger (fields, then message); default: warnings and errors on stderr; `false`: silence. */
  logger?: LoggerOption
  /** Time source for TTLs, backoff and rates; default the system clock. */
  clock?: Clock
  /** Software identity answered to XEP-0092 queries. */
  software?: { name: string; version: string }
  /** Which local users exist: a stanza for one who does not is answered per RFC 6121 §8.5.2.1. */
  users?: UserDirectory
  /** Backoff between failed connection attempts to one domain. */
  backoff?: { initialMs: number; maxMs: number }
  /** New connections per remote address across the listeners (default 20/s after a burst of 40). */
  connectionRate?: Omit<AddressThrottleOptions, 'logger'>
  /** Several nodes, one deployment: e.g. `redisCluster()` from @xmpp-federation/cluster. */
  cluster?: ClusterPort
}

/** The events a Federation emits, with their listener signatures. */
export interface FederationEvents {
  /** A stanza for a local address: from a remote domain, or an error bounced back to a local sender. */
  stanza: (stanza: Element, info: InboundStanzaInfo) => void
  /** A stanza was not delivered; its sender got an error stanza unless RFC 6120/6121 forbid one. */
  bounce: (event: BounceEvent) => void
  /** A stream with a remote domain became usable, closed or failed. */
  session: (event: SessionEvent) => void
  /** XEP-0198: stanzas a broken stream left unacknowledged are sent again (they may arrive twice). */
  resend: (event: { local: string; remote: string; count: number }) => void
  /** A policy decision with its reason (per-stanza checks report refusals only). */
  decision: (event: DecisionEvent) => void
  /** A failure no caller awaits (a listener that broke, a host directory that threw...). */
  error: (error: Error) => void
  /** `reconfigure()` applied a new configuration (or found it identical): what changed and what closed. */
  reconfigured: (report: ReconfigureReport) => void
  /** Cluster mode: membership, route leases, takeovers (see ClusterEvent). */
  cluster: (event: ClusterEvent) => void
}

/**
 * A federation endpoint: outbound sessions per (local, remote) domain pair,
 * inbound listeners, and the rules that keep a stanza from vanishing.
 */
export class Federation extends EventEmitter<FederationEvents> {
  /** What every plugin of this federation is given: config, logger, policy, clock. */
  readonly components: FederationComponents
  /** Config, policy, stream context and resolver: read through here, swapped whole by reconfigure(). */
  private readonly live: LiveSettings
  private readonly context: StreamContext
  private readonly resolver: Resolver
  private readonly logger: Logger
  private readonly policy: DomainPolicy
  private readonly s2sListeners: ListenerSet
  private readonly reconfigurer: Reconfigurer
  private readonly peerSoftware: PeerSoftwareCheck
  private readonly links = new Map<string, OutboundLink>()
  private readonly inbound = new Set<InboundSession>()
  /** XEP-0288: inbound streams that may carry our stanzas back, by linkKey. */
  private readonly bidiInbound = new Map<string, InboundSession>()
  /** Inbound streams with at least one pair authenticated for each remote domain (its stream limit). */
  private readonly inboundPerRemote = new Map<string, number>()
  /** Stanza counts per remote domain that survive the streams they were counted on. */
  private readonly totals = new TrafficTotals()
  /** Remote domains kept authenticated per peer certificate, so one wildcard cannot hold hundreds. */
  private readonly certificateDomains: CertificateDomains
  /** New connections per remote address, one rate across all listeners; its refusals show in status(). */
  private throttle: AddressThrottle | undefined
  /** Our outstanding iq requests by id, with the address their answer must come from. */
  private readonly pendingIq = new Map<
    string,
    { responder: string; resolve: (iq: Element) => void; reject: (e: Error) => void }
  >()
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new'
  /** What each local domain answers itself: built-in services and the host's iq handlers. */
  private readonly services: DomainServices
  /** Asynchronous user-directory answers, chained so that stanzas keep their order. */
  private userLookups: Promise<void> = Promise.resolve()
  /** Stanzas waiting in that chain: bounded by MAX_PENDING_USER_LOOKUPS. */
  private pendingUserLookups = 0
  private idleSweeper: IdleSweeper | undefined

  /**
   * The composition root: validates the config and builds every component once —
   * logger, TLS identities, policy, stream context, resolver, auth mechanisms — so
   * that a misconfiguration throws here (a ConfigError naming each problem), not on
   * the first send. Nothing listens or connects until `start()`.
   */
  constructor(private readonly options: FederationOptions) {
    super()
    this.logger = resolveLogger(options.logger)
    const config = parseConfig(options.config)
    const tls = loadTlsIdentity(config)
    const policy = options.policy ?? this.buildPolicy(config)
    const resolver = options.resolver ?? buildResolver(config)
    const live = new LiveSettings(config, { policy, resolver })
    this.live = live
    this.policy = live.policy.view
    this.resolver = live.resolver.view
    this.context = live.context.view
    this.components = {
      get config() {
        return live.config
      },
      logger: this.logger,
      policy: this.policy,
      clock: options.clock ?? systemClock,
      openVerificationStream: (local, remote) => this.openVerificationStream(local, remote),
    }
    const auth = buildAuth(options.auth, this.components)
    checkAuthCoverage(config, auth)
    if (options.cluster)
      assertClusterConfig(
        config,
        auth.some((mechanism) => mechanism.name === 'dialback'),
      )
    // The XEP-0092 answer comes back on a bidirectional stream or over the peer's stream to our listener.
    this.peerSoftware = new PeerSoftwareCheck(
      this.policy,
      (iq, timeoutMs, write) => this.expectAnswer(iq, timeoutMs, write),
      { ...DEFAULT_PEER_SOFTWARE, ...options.peerSoftware },
      () => this.config.enabled && this.config.listen.length > 0,
      options.cluster?.peerSoftware,
    )
    live.context.swap(this.buildContext(config, auth, tls))
    this.certificateDomains = new CertificateDomains(config.streams.maxDomainsPerCertificate)
    this.s2sListeners = new ListenerSet({
      context: this.context,
      throttle: () =>
        (this.throttle ??= createAddressThrottle({ ...this.options.connectionRate, logger: this.logger })),
      onSession: (session) => this.acceptInbound(session),
      onError: (error) => this.emit('error', error),
      logger: this.logger,
    })
    this.reconfigurer = this.createReconfigurer()
    for (const mechanism of auth) mechanism.start?.(this.components)
    this.services = new DomainServices(options.software ?? { name: 'xmpp-federation', version: '0.1.0' })
  }

  /**
   * Answers iq requests to the domain itself in one namespace (e.g. XEP-0202 time);
   * the namespace is also listed in the domain's disco#info. Returns a function that
   * removes the handler.
   */
  addIqHandler(registration: IqHandlerRegistration): () => void {
    return this.services.addIqHandler(registration)
  }

  /** Lists a feature in the XEP-0030 disco#info of `domain` (default every local domain). */
  addFeature(feature: string, domain?: string): () => void {
    return this.services.addFeature(feature, domain)
  }

  /** Opens the listeners and starts the housekeeping timers; once. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new UsageError(`start() called on a federation that is ${this.state}`)
    this.state = 'starting'
    const config = this.config
    try {
      await this.options.cluster?.join(this.clusterHost())
    } catch (error) {
      this.state = 'stopped'
      throw error
    }
    this.idleSweeper = new IdleSweeper(
      config.timeouts.idleMs,
      () => this.sessions(),
      (session) => {
        this.logger.info(
          { direction: session.direction, remote: session.remoteDomain },
          'closing an idle s2s stream',
        )
        void session.close()
      },
      () => this.forgetUnusedLinks(),
    )
    if (!config.enabled) {
      this.state = 'running'
      this.logger.warn(
        {},
        'federation is disabled on this node (enabled: false): no listeners, sends refused',
      )
      return
    }
    this.throttle = createAddressThrottle({ ...this.options.connectionRate, logger: this.logger })
    try {
      await this.s2sListeners.openAll(config.listen)
    } catch (error) {
      this.state = 'running'
      await this.stop()
      throw error
    }
    this.state = 'running'
  }

  /**
   * Applies a new configuration without a restart, or refuses it whole: see
   * docs/operations.md for what each setting does to live streams. Resolves with (and
   * emits as `reconfigured`) what changed and which streams it closed; rejects with a
   * ReconfigureError naming every problem, the old configuration still serving.
   */
  async reconfigure(config: FederationConfigInput): Promise<ReconfigureReport> {
    const report = await this.reconfigurer.reconfigure(config)
    const cluster = this.options.cluster
    if (!cluster?.publishConfig || report.unchanged) return report
    // Applied here first, so that a configuration that does not validate never leaves this node.
    try {
      return { ...report, cluster: { version: await cluster.publishConfig() } }
    } catch (error) {
      const message = `not published to the cluster, only this node runs it: ${(error as Error).message}`
      this.logger.error(
        { error: (error as Error).message },
        'reconfigure(): the cluster did not get the configuration',
      )
      return { ...report, cluster: { error: message } }
    }
  }

  /** The configuration in force: the one given at construction, or the last reconfigure()d. */
  private get config(): FederationConfig {
    return this.live.config
  }

  /** The domains this federation serves, from the configuration. */
  get localDomains(): readonly string[] {
    return this.config.domains
  }

  /** The auth mechanisms streams try, in order (e.g. `['EXTERNAL', 'dialback']`). */
  get authMechanisms(): readonly string[] {
    return this.context.auth.map((mechanism) => mechanism.name)
  }

  /**
   * Sends a stanza from a local address. Resolves once it is written to an
   * authenticated stream; rejects with a DeliveryError carrying the RFC 6120
   * condition it was bounced with (the sender also gets the error stanza).
   */
  send(stanza: Element): Promise<void> {
    this.assertUsable('send')
    assertElement(stanza)
    if (this.state !== 'running') {
      return Promise.reject(new DeliveryError('remote-server-not-found', `federation is ${this.state}`))
    }
    const config = this.config
    // Canonical form and domain in one lookup per address (as canonicalizeAddresses, then domainOfAddress).
    const { from: fromForm, to: toForm } = readStanzaAddresses(stanza)
    if (fromForm) stanza.attrs.from = fromForm.address
    if (toForm) stanza.attrs.to = toForm.address
    const from = fromForm?.domain
    const to = toForm?.domain
    if (!isStanza(stanza))
      return Promise.reject(new DeliveryError('bad-request', `<${stanza.name}/> is not a stanza`))
    if (!from || !to)
      return Promise.reject(new DeliveryError('jid-malformed', 'stanza needs valid from and to addresses'))
    if (!config.domains.includes(from)) {
      return Promise.reject(new DeliveryError('not-allowed', `${from} is not a local domain`))
    }
    if (config.domains.includes(to)) {
      // Local to local: answers settle requests, the rest goes where inbound stanzas go.
      if (!this.settlesRequest(stanza)) this.routeInbound(stanza, { localDomain: to, remoteDomain: from })
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const item: PendingStanza = {
        stanza,
        expiresAt: Date.now() + config.queue.ttlMs,
        answer: stanza.name === 'iq' && (stanza.attrs.type === 'result' || stanza.attrs.type === 'error'),
        resolve,
        reject,
      }
      if (!config.emailForFederation.enabled) {
        this.sendOver(from, to, item)
        return
      }
      // Email for federation: our users leave as their email addresses.
      this.policy.mapOutbound(stanza).then(
        (mapped) => {
          if (!mapped.decision.allowed) {
            this.reportDirectoryFailure(mapped.decision)
            this.bounceOutbound(item, mapped.decision.condition, mapped.decision.reason)
            return
          }
          const out = mapped.stanza!
          this.sendOver(domainOfAddress(out.attrs.from ?? '') ?? from, to, { ...item, stanza: out })
        },
        (error: Error) => {
          // The host's directory failed: the sender learns it, and so does the host.
          this.emit('error', error)
          this.bounceOutbound(item, 'internal-server-error', 'the email directory failed')
        },
      )
    })
  }

  /**
   * Sends an iq from a local domain (or address) and resolves with the answer:
   * e.g. XEP-0199 ping or XEP-0092 version of a remote server.
   */
  request(iq: Element, timeoutMs = 10_000): Promise<Element> {
    this.assertUsable('request')
    return this.expectAnswer(iq, timeoutMs, (request) => {
      this.send(request).catch((error: Error) => this.pendingIq.get(request.attrs.id ?? '')?.reject(error))
    })
  }

  /** Misuse is a bug in the host: it throws, rather than pass for a delivery outcome. */
  private assertUsable(method: string): void {
    if (this.state === 'new')
      throw new UsageError(`${method}() before start(): call await federation.start() first`)
    if (this.state === 'stopped') throw new UsageError(`${method}() after stop(): the federation is stopped`)
  }

  /** Registers the iq's id for its answer (which comes back on an inbound stream), then writes it. */
  private expectAnswer(iq: Element, timeoutMs: number, write: (iq: Element) => void): Promise<Element> {
    const id = iq.attrs.id ?? this.options.cluster?.requestId() ?? randomBytes(8).toString('hex')
    iq.attrs.id = id
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingIq.delete(id)
        reject(new DeliveryError('remote-server-timeout', `no answer to iq ${id} in ${timeoutMs} ms`))
      }, timeoutMs)
      const settle = (fn: () => void) => {
        clearTimeout(timer)
        this.pendingIq.delete(id)
        fn()
      }
      this.pendingIq.set(id, {
        responder: iq.attrs.to ?? '',
        resolve: (answer) => settle(() => resolve(answer)),
        reject: (error) => settle(() => reject(error)),
      })
      try {
        write(iq)
      } catch (error) {
        this.pendingIq.get(id)?.reject(error as Error)
      }
    })
  }

  /** XEP-0199 server-to-server ping; resolves with the round-trip time in ms. */
  async ping(localDomain: string, remoteDomain: string, timeoutMs = 10_000): Promise<number> {
    const started = performance.now()
    const answer = await this.request(
      pingRequest(
        localDomain,
        remoteDomain,
        this.options.cluster?.requestId() ?? randomBytes(8).toString('hex'),
      ),
      timeoutMs,
    )
    if (answer.attrs.type !== 'result') throw errorFromIq(answer)
    const rtt = performance.now() - started
    const link = this.links.get(linkKey(localDomain, remoteDomain))
    if (link) link.rttMs = rtt
    return rtt
  }

  /**
   * Runs a socket the host accepted (it owns the listener: a port shared with other
   * protocols, systemd socket activation...) as an inbound s2s stream of this
   * federation, with its TLS, auth mechanisms, limits and policy. For XEP-0368 direct
   * TLS pass `directTls: true`. Returns the session, already registered.
   */
  acceptSocket(socket: Duplex, options: { directTls?: boolean } = {}): InboundSession {
    this.assertUsable('acceptSocket')
    const session = acceptStream(socket, this.context, { directTls: options.directTls ?? false })
    this.acceptInbound(session)
    return session
  }

  /** A snapshot of every link and stream, for status pages, metrics and the diagnostics. */
  status(): FederationStatus {
    const domains: DomainStatus[] = []
    for (const link of this.links.values()) domains.push(outboundStatus(link))
    for (const session of this.inbound) domains.push(inboundStatus(session))
    const throttled = this.throttle?.throttled() ?? []
    const totals = this.totals.snapshot()
    const cluster = this.options.cluster?.status()
    return { state: this.state, localDomains: [...this.localDomains], domains, throttled, totals, cluster }
  }

  /**
   * Graceful stop: no new connections, queued stanzas bounced, every stream
   * closed with its closing handshake. Resolves when all is closed.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') return
    this.state = 'stopping'
    this.idleSweeper?.stop()
    // First the leases, so that closing the links below bounces nothing the outbox keeps.
    await this.options.cluster?.leave()
    const serversClosed = this.s2sListeners.closeAll()
    await Promise.all([...this.links.values()].map((link) => link.stop('federation stopped')))
    await Promise.all([...this.inbound].map((session) => session.close('system-shutdown')))
    for (const pending of this.pendingIq.values())
      pending.reject(new DeliveryError('remote-server-not-found', 'stopped'))
    await serversClosed
    this.state = 'stopped'
  }

  /** Links with no stream, nothing queued and no backoff to respect are dropped (re-made on the next send). */
  private forgetUnusedLinks(): void {
    const now = Date.now()
    for (const [key, link] of this.links) if (link.disposable(now)) this.links.delete(key)
  }

  /** Every live stream, both directions, once each (a bidirectional one is also a link's). */
  private sessions(): Iterable<S2SSession> {
    const all = new Set<S2SSession>(this.inbound)
    for (const link of this.links.values()) if (link.session) all.add(link.session)
    return all
  }

  // ----------------------------------------------------------------- outbound

  /**
   * Hands a stanza to its link. The policy is asked once per link, when it is
   * created (a reconfigure() that refuses the domain closes the link); a refused
   * domain gets no link, so every later send asks again and bounces again.
   */
  private sendOver(local: string, remote: string, item: PendingStanza): void {
    if (this.options.cluster) {
      const verdict = this.policy.checkDomain(remote)
      if (verdict.allowed) this.options.cluster.send(local, remote, item)
      else this.bounceOutbound(item, verdict.condition, verdict.reason)
      return
    }
    if (!this.config.enabled) {
      this.bounceOutbound(item, 'service-unavailable', 'federation is disabled on this node (enabled: false)')
      return
    }
    const link = this.links.get(linkKey(local, remote))
    if (link) {
      link.send(item)
      return
    }
    const verdict = this.policy.checkDomain(remote)
    if (!verdict.allowed) {
      this.bounceOutbound(item, verdict.condition, verdict.reason)
      return
    }
    this.linkFor(local, remote).send(item)
  }

  private linkFor(local: string, remote: string): OutboundLink {
    const key = linkKey(local, remote)
    let link = this.links.get(key)
    if (!link) {
      const config = this.config
      link = new OutboundLink({
        local,
        remote,
        queue: { maxStanzas: config.queue.maxStanzas, maxBytes: config.queue.maxBytes },
        backoff: this.options.backoff ?? { initialMs: 250, maxMs: 10_000 },
        connect: (l, r) => {
          // The cluster's answer for the peer is read while the stream negotiates.
          this.peerSoftware.prefetch(r)
          return this.connect(l, r, true)
        },
        offered: () => this.bidiInbound.get(key),
        admit: (session, refuseLater) => this.admit(local, remote, session, refuseLater),
        onBounce: (item, condition, reason) => this.bounceOutbound(item, condition, reason),
        onEstablished: (session) => {
          this.emit('session', {
            direction: 'outbound',
            local,
            remote,
            state: 'established',
            mechanism: session.authenticatedPairs[0]?.mechanism,
            bidi: session.bidi,
          })
        },
        onFailure: (error, condition) => {
          this.logger.warn({ local, remote, condition, error: error.message }, 's2s connection failed')
          this.emit('session', { direction: 'outbound', local, remote, state: 'failed', error })
        },
        resendTtlMs: config.queue.ttlMs,
        onResend: (count) => {
          this.logger.info({ local, remote, count }, 'resending unacknowledged stanzas (XEP-0198)')
          this.emit('resend', { local, remote, count })
        },
        onClosed: (error) => {
          this.emit('session', { direction: 'outbound', local, remote, state: 'closed', error })
        },
      })
      this.links.set(key, link)
    }
    return link
  }

  /** Resolves the remote domain and tries its targets in order until one authenticates. */
  private async connect(
    local: string,
    remote: string,
    authenticate: boolean,
  ): Promise<{ session: OutboundSession; target: ConnectionTarget }> {
    const targets = await this.resolver.resolve(remote)
    const errors: Error[] = []
    for (const target of targets) {
      try {
        const session = await connectStream({
          context: this.context,
          localDomain: local,
          remoteDomain: remote,
          host: target.host,
          port: target.port,
          directTls: target.directTls,
          authenticate,
          // XEP-0288: the peer's stanzas to us may come back on this stream, from the moment it is up.
          onSession: (session) => {
            this.totals.track(session)
            session.on('stanza', (stanza, pair) => this.onInboundStanza(stanza, pair))
          },
        })
        return { session, target }
      } catch (error) {
        this.logger.debug(
          {
            remote,
            host: target.host,
            port: target.port,
            error: String(error),
          },
          's2s target failed',
        )
        errors.push(error as Error)
      }
    }
    // The most telling failure: a timeout or a refusal beats a plain connection error.
    throw (
      errors.find((e) => conditionFor(e) === 'remote-server-timeout') ??
      errors.at(-1) ??
      new Error('no targets')
    )
  }

  /**
   * The peer software rules; a refused peer's stream is closed with policy-violation. A peer
   * let through on the answer it is known by is refused later if its new answer says so.
   */
  private async admit(
    local: string,
    remote: string,
    session: S2SSession,
    refuseLater: (error: DeliveryError) => void,
  ): Promise<void> {
    const { decision, recheck } = await this.peerSoftware.check(
      local,
      remote,
      (iq) => session.sendStanza(iq),
      session.bidi,
    )
    if (!decision.allowed) {
      await session.close('policy-violation', decision.reason)
      throw new DeliveryError(decision.condition, decision.reason)
    }
    void recheck?.then((fresh) => {
      if (!fresh.allowed) refuseLater(new DeliveryError(fresh.condition, fresh.reason))
    })
  }

  /**
   * Lent to auth mechanisms: a resolver lookup and a dial to a name the peer chose.
   * No bound here on purpose: the only caller, dialback's receiving role, admits a
   * call only within its verification limits (per stream, per peer address, in
   * total) and holds the slot until the stream is closed, so what reaches the
   * resolver and the dialler is already bounded. A mechanism that calls this
   * without such limits must bring its own.
   */
  private async openVerificationStream(local: string, remote: string): Promise<S2SSession> {
    const { session } = await this.connect(local, remote, false)
    return session
  }

  /**
   * A stanza of ours that will not be delivered reaches the host once: as a `bounce`
   * event whose `returned` is the error stanza for its local sender (never also as a
   * `stanza` event), and as the rejection of its `send()`.
   */
  private bounceOutbound(item: PendingStanza, condition: StanzaErrorCondition, reason: string): void {
    if (item.durable) {
      item.durable.bounced(condition, reason)
      return
    }
    const returned = shouldReturnError(item.stanza) ? errorReply(item.stanza, condition, reason) : undefined
    this.emit('bounce', { stanza: item.stanza, condition, reason, direction: 'outbound', returned })
    item.reject(new DeliveryError(condition, reason))
  }

  // ----------------------------------------------------------------- inbound

  private acceptInbound(session: InboundSession): void {
    this.inbound.add(session)
    this.totals.track(session)
    session.on('authenticated', (pair) => {
      // A stream counts once per remote domain, however many of our domains it serves.
      const counted = session.authenticatedPairs.some((p) => p !== pair && p.remote === pair.remote)
      if (!counted) this.countInbound(pair.remote, 1)
      const refusal = this.certificateDomains.add(session, pair.remote) ?? this.refuseInboundPair(pair.remote)
      if (refusal) {
        void session.close('policy-violation', refusal)
        return
      }
      this.emit('session', {
        direction: 'inbound',
        local: pair.local,
        remote: pair.remote,
        state: 'established',
        mechanism: pair.mechanism,
        bidi: session.bidi,
      })
      // XEP-0288: our stanzas to that domain can ride this connection. Taken when we next send
      // (or now, if stanzas wait for a stream): a link per inbound stream would cost memory and
      // an XEP-0092 query to every peer that merely writes to us.
      if (session.bidi) {
        const key = linkKey(pair.local, pair.remote)
        this.bidiInbound.set(key, session)
        const link = this.links.get(key)
        if (link && link.queued.stanzas > 0) link.adopt(session)
      }
    })
    session.on('stanza', (stanza, pair) => this.onInboundStanza(stanza, pair))
    session.once('closed', ({ error }) => {
      this.inbound.delete(session)
      this.certificateDomains.remove(session)
      for (const pair of session.authenticatedPairs) {
        const key = linkKey(pair.local, pair.remote)
        if (this.bidiInbound.get(key) === session) this.bidiInbound.delete(key)
      }
      for (const remote of new Set(session.authenticatedPairs.map((p) => p.remote)))
        this.countInbound(remote, -1)
      for (const pair of session.authenticatedPairs) {
        this.emit('session', {
          direction: 'inbound',
          local: pair.local,
          remote: pair.remote,
          state: 'closed',
          error,
        })
      }
    })
  }

  /** Why a newly authenticated remote domain may not use an inbound stream, if it may not. */
  private refuseInboundPair(remote: string): string | undefined {
    const domain = this.policy.checkDomain(remote)
    if (!domain.allowed) return domain.reason
    const software = this.peerSoftware.cached(remote)
    if (software && !software.allowed) return software.reason
    // Counted as streams authenticate and close: a scan of every inbound stream here made
    // accepting n streams cost O(n²).
    const open = this.inboundPerRemote.get(remote) ?? 0
    const streams = this.policy.checkStreamCount(remote, open - 1)
    return streams.allowed ? undefined : streams.reason
  }

  private countInbound(remote: string, delta: number): void {
    const count = (this.inboundPerRemote.get(remote) ?? 0) + delta
    if (count > 0) this.inboundPerRemote.set(remote, count)
    else this.inboundPerRemote.delete(remote)
  }

  /** `pair`: the stream's check found the stanza's to/from domains (normalised) authenticated there. */
  private onInboundStanza(stanza: Element, pair: AuthenticatedPair): void {
    const localDomain = pair.local
    const remoteDomain = pair.remote
    const info: InboundStanzaInfo = { localDomain, remoteDomain }
    if (this.settlesRequest(stanza, info)) return
    const verdict = this.checkInboundPolicy(remoteDomain, stanza)
    if (!verdict.allowed) {
      this.bounceInbound(stanza, verdict.condition, verdict.reason)
      return
    }
    if (!this.config.emailForFederation.enabled) {
      this.routeInbound(stanza, info)
      return
    }
    this.policy.mapInbound(stanza).then(
      (mapped) => {
        if (!mapped.decision.allowed) {
          this.reportDirectoryFailure(mapped.decision)
          this.bounceInbound(stanza, mapped.decision.condition, mapped.decision.reason)
        } else this.routeInbound(mapped.stanza!, { localDomain, remoteDomain })
      },
      (error: Error) => {
        this.emit('error', error)
        this.bounceInbound(stanza, 'internal-server-error', 'the email directory failed')
      },
    )
  }

  /** The policy's per-stanza checks (rate, stanza rules): the first refusal, else allowed. */
  private checkInboundPolicy(remoteDomain: string, stanza: Element): Decision {
    const now = Date.now()
    // The domain is the stream's, normalised already: a policy that can take it so is not made to parse it again.
    const verdict = this.policy.checkInbound?.(remoteDomain, stanza, now)
    if (verdict) return verdict
    const rate = this.policy.checkRate(remoteDomain, now)
    const rules = this.policy.checkInboundStanza(remoteDomain, stanza)
    return rate.allowed ? rules : rate
  }

  /** The host's email directory threw: its sender got an error; the host hears it as an `error` event too. */
  private reportDirectoryFailure(decision: { code: string; reason: string }): void {
    if (decision.code === 'DIRECTORY_ERROR') this.emit('error', new Error(decision.reason))
  }

  /** An iq result/error answering one of our `request()`s resolves it instead of reaching the host. */
  private settlesRequest(stanza: Element, info?: InboundStanzaInfo): boolean {
    if (stanza.name !== 'iq' || (stanza.attrs.type !== 'result' && stanza.attrs.type !== 'error'))
      return false
    const pending = this.pendingIq.get(stanza.attrs.id ?? '')
    // RFC 6120 §8.1.2.1: the answer comes from whom we asked; a guessed id from anyone else is not one.
    if (!pending) return this.options.cluster?.forwardAnswer(stanza, info ?? inboundInfo(stanza)) ?? false
    if (!answersFrom(stanza.attrs.from ?? '', pending.responder)) return false
    pending.resolve(stanza)
    return true
  }

  /** Answers iq requests to the domain itself; everything else goes to the host. */
  private routeInbound(stanza: Element, info: InboundStanzaInfo): void {
    const request = stanza.name === 'iq' && (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')
    if (request && stanza.attrs.to === info.localDomain) {
      this.answerForDomain(stanza, info)
      return
    }
    const users = this.options.users
    const bare = bareAddress(stanza.attrs.to ?? '')
    if (users && bare) {
      // A slow or stuck directory must not let peers queue stanzas behind it for ever.
      if (this.pendingUserLookups >= MAX_PENDING_USER_LOOKUPS) {
        this.bounceInbound(stanza, 'resource-constraint', 'too many stanzas wait for the user directory')
        return
      }
      // In arrival order, even when the directory answers asynchronously.
      const exists = users.exists(bare)
      if (typeof exists === 'boolean') this.deliverToUser(stanza, info, exists)
      else {
        this.pendingUserLookups++
        this.userLookups = this.userLookups
          .then(() => exists)
          .then(
            (found) => this.deliverToUser(stanza, info, found),
            (error: Error) => {
              this.emit('error', error)
              this.bounceInbound(stanza, 'internal-server-error', 'the user directory failed')
            },
          )
          .finally(() => this.pendingUserLookups--)
      }
      return
    }
    this.deliverToHost(stanza, info)
  }

  /** RFC 6121 §8.5.2.1 for a user the directory does not know; otherwise on to the host. */
  private deliverToUser(stanza: Element, info: InboundStanzaInfo, exists: boolean): void {
    if (exists) {
      this.deliverToHost(stanza, info)
      return
    }
    const outcome = noSuchUser(stanza)
    const reason = `${bareAddress(stanza.attrs.to ?? '')} is not a user of ${info.localDomain}`
    if (outcome.kind === 'error') {
      this.bounceInbound(stanza, outcome.condition, reason)
      return
    }
    this.emit('bounce', {
      stanza,
      condition: 'service-unavailable',
      reason,
      direction: 'inbound',
      returned: undefined,
    })
    if (outcome.kind === 'unsubscribed') {
      this.reply(
        xml('presence', {
          from: bareAddress(stanza.attrs.to ?? ''),
          to: stanza.attrs.from,
          type: 'unsubscribed',
        }),
      )
    }
  }

  /** An iq to the domain itself: the host's handlers, then the built-in services. */
  private answerForDomain(stanza: Element, info: InboundStanzaInfo): void {
    let answer: Element | Promise<Element> | undefined
    try {
      answer = this.services.answer(stanza, info)
    } catch (error) {
      answer = Promise.reject(error)
    }
    if (answer === undefined) {
      this.bounceInbound(stanza, 'service-unavailable', 'no such service on this domain')
      return
    }
    if (!(answer instanceof Promise)) {
      this.reply(answer)
      return
    }
    answer.then(
      (result) => this.reply(result),
      (error: Error) => {
        this.emit('error', error)
        this.bounceInbound(stanza, 'internal-server-error', 'the iq handler failed')
      },
    )
  }

  private deliverToHost(stanza: Element, info: InboundStanzaInfo): void {
    const request = stanza.name === 'iq' && (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')
    if (request && this.listenerCount('stanza') === 0) {
      this.bounceInbound(stanza, 'service-unavailable', 'nobody handles this request')
      return
    }
    this.deliverLocally(stanza, info)
  }

  /** Refuses a stanza from a remote sender: an error stanza back (where allowed) and an event. */
  private bounceInbound(stanza: Element, condition: StanzaErrorCondition, reason: string): void {
    const returned = shouldReturnError(stanza) ? errorReply(stanza, condition, reason) : undefined
    this.emit('bounce', { stanza, condition, reason, direction: 'inbound', returned })
    if (returned) this.reply(returned)
  }

  private reply(stanza: Element): void {
    this.send(stanza).catch((error: Error) =>
      this.logger.debug({ error: error.message }, 'reply not delivered'),
    )
  }

  private deliverLocally(stanza: Element, info: InboundStanzaInfo): void {
    if (this.options.cluster?.deliverElsewhere(stanza, info)) return
    this.emitStanza(stanza, info)
  }

  /** What this node's cluster may reach (see ClusterHost). */
  private clusterHost() {
    return clusterHost({
      config: () => this.config,
      logger: this.logger,
      policy: this.policy,
      links: this.links,
      linkKey,
      linkFor: (local, remote) => this.linkFor(local, remote),
      bounceOutbound: (item, condition, reason) => this.bounceOutbound(item, condition, reason),
      deliverLocally: (stanza, info) => this.emitStanza(stanza, info),
      settlesRequest: (stanza) => this.settlesRequest(stanza),
      routeInbound: (stanza, info) => this.routeInbound(stanza, info),
      emitCluster: (event) => this.emit('cluster', event),
      emitResend: (local, remote, count) => this.emit('resend', { local, remote, count }),
      applyConfig: (config) => this.reconfigurer.reconfigure(config),
    })
  }

  private emitStanza(stanza: Element, info: InboundStanzaInfo): void {
    if (this.listenerCount('stanza') === 0) {
      this.logger.warn(
        {
          to: stanza.attrs.to,
        },
        'stanza for a local address, but the host has no stanza handler',
      )
    }
    this.emit('stanza', stanza, info)
  }

  // ----------------------------------------------------------------- configuration

  private buildPolicy(config: FederationConfig): DomainPolicy {
    return createPolicyFor(config, {
      directory: this.options.directory,
      onDecision: (event) => this.onDecision(event),
    })
  }

  /** `output`: the budget live streams count against, kept across reloads. */
  private buildContext(
    config: FederationConfig,
    auth: readonly AuthMechanism[],
    tls: TlsIdentity | undefined,
    output?: StreamContext['output'],
  ): StreamContext {
    const context = createStreamContext(
      streamContextOptions(config, {
        auth,
        tls,
        // Streams ask the policy for each domain's security; before a peer names itself, the global settings apply.
        security: (remote) => (remote ? this.policy.security(remote) : config.security),
        maxStanzaBytesFor: (remote) => this.policy.limits(remote).maxStanzaBytes,
        logger: this.logger,
      }),
    )
    return output ? { ...context, output } : context
  }

  private createReconfigurer(): Reconfigurer {
    return new Reconfigurer({
      live: this.live,
      listeners: this.s2sListeners,
      logger: this.logger,
      hostPolicy: this.options.policy !== undefined,
      hostResolver: this.options.resolver !== undefined,
      state: () => this.state,
      buildPolicy: (config) => this.buildPolicy(config),
      buildAuth: (config) => buildAuth(this.options.auth, { ...this.components, config }),
      startAuth: (auth) => {
        for (const mechanism of auth) mechanism.start?.(this.components)
      },
      // One output budget for the life of the federation: live streams keep counting against it.
      buildContext: (config, auth, tls) => this.buildContext(config, auth, tls, this.context.output),
      buildResolver,
      links: () => this.links.values(),
      forgetLink: (link) => {
        const key = linkKey(link.localDomain, link.remoteDomain)
        if (this.links.get(key) === link) this.links.delete(key)
      },
      inbound: () => this.inbound,
      software: (remote) => this.peerSoftware.cached(remote),
      countBounces: () => {
        let count = 0
        const onBounce = () => count++
        this.on('bounce', onBounce)
        return () => {
          this.off('bounce', onBounce)
          return count
        }
      },
      retune: (config) => {
        this.idleSweeper?.retune(config.timeouts.idleMs)
        this.certificateDomains.setLimit(config.streams.maxDomainsPerCertificate)
        this.context.output.setLimit(config.streams.maxBufferedBytesTotal)
      },
      reconfigured: (report) => this.emit('reconfigured', report),
    })
  }

  // ----------------------------------------------------------------- policy

  /**
   * Every decision is logged and emitted with its reason, except the allowed
   * ones of per-stanza checks: one event per stanza would cost more than the stanza.
   */
  private onDecision(event: DecisionEvent): void {
    const { decision } = event
    if (decision.allowed && PER_STANZA_CHECKS.has(event.check)) return
    const fields = { check: event.check, remote: event.remote, code: decision.code, reason: decision.reason }
    if (decision.allowed) this.logger.debug(fields, 'policy allowed')
    else this.logger.info(fields, 'policy refused')
    this.emit('decision', event)
  }
}

/** Inbound stanzas that may wait for asynchronous user-directory answers at once. */
export const MAX_PENDING_USER_LOOKUPS = 1024

const PER_STANZA_CHECKS: ReadonlySet<DecisionEvent['check']> = new Set([
  'rate',
  'inbound-stanza',
  'stanza-size',
  'outbound-addresses',
  'inbound-addresses',
])

/** Builds a federation (validating its config: a ConfigError names every problem); `start()` listens. */
export function createFederation(options: FederationOptions): Federation {
  return new Federation(options)
}

function buildResolver(config: FederationConfig): Resolver {
  return createResolver({
    servers: config.dns.servers,
    timeoutMs: config.dns.timeoutMs,
    routes: config.routes,
  })
}

/** Links and XEP-0288 streams are found by their (local, remote) domain pair. */
function linkKey(local: string, remote: string): string {
  // Every send() looks its link up: the same pair again gets the same string, whose hash the
  // map has computed before, instead of a new string to join, flatten and hash (≈ 100 ns).
  if (local === lastLinkLocal && remote === lastLinkRemote) return lastLinkKey
  lastLinkLocal = local
  lastLinkRemote = remote
  lastLinkKey = `${local} ${remote}`
  return lastLinkKey
}

// The last pair asked and its key (three variables: a miss, at a thousand links, allocates only the key).
let lastLinkLocal = ''
let lastLinkRemote = ''
let lastLinkKey = ' '

/**
 * An element by shape, not class: one built by another copy of ltx (`@xmpp/xml`) is
 * as good as ours; anything else is a bug in the host, not a delivery outcome.
 */
function assertElement(value: unknown): asserts value is Element {
  const candidate = value as { name?: unknown; attrs?: unknown; children?: unknown } | null
  const element =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.attrs === 'object' &&
    candidate.attrs !== null &&
    Array.isArray(candidate.children)
  if (!element) throw new TypeError(`send() takes a stanza element (ltx or @xmpp/xml), not ${typeof value}`)
}

/**
 * `user@domain` of an address with a localpart, canonical; undefined for a domain or a malformed address.
 * Asked of every inbound stanza's `to`: the address memo has it from the stream's check, unparsed again.
 */
function bareAddress(address: string): string | undefined {
  return canonicalForm(address)?.bare
}

function answersFrom(from: string, responder: string): boolean {
  return from === responder || (!responder.includes('/') && from.split('/')[0] === responder)
}

function errorFromIq(iq: Element): DeliveryError {
  const condition = iq.getChild('error')?.getChildElements()[0]?.name ?? 'undefined-condition'
  return new DeliveryError(condition as StanzaErrorCondition, `remote answered <${condition}/>`)
}
