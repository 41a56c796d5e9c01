import type { Element } from 'ltx'
import type { AuthenticatedPair, AuthStreamBase, InboundAuthStream, OutboundAuthStream } from './auth.js'
import type { StreamContext } from './context.js'
import type { StreamErrorCondition } from './errors.js'

/**
 * What an auth view reads of its stream: the session's public members, and the two things a
 * mechanism may make it do (grant a pair, restart the stream), which the session keeps to
 * itself otherwise.
 */
export interface ViewedSession<Restart> {
  readonly phase: AuthStreamBase['phase']
  readonly localDomain: string
  readonly remoteDomain: string | undefined
  readonly remoteAddress: string | undefined
  readonly streamId: string
  readonly peerHeader: AuthStreamBase['peerHeader']
  readonly tls: AuthStreamBase['tls']
  readonly authenticatedPairs: readonly AuthenticatedPair[]
  isAuthenticated(local: string, remote: string): boolean
  send(element: Element): void
  nextElement(match: (element: Element) => boolean, timeoutMs: number): Promise<Element>
  close(condition?: StreamErrorCondition, text?: string): Promise<unknown>
  grant(local: string, remote: string, mechanism: string): void
  restartStream(): Restart
}

/**
 * The auth contract's view of one stream, reading the stream live. Its members live on the
 * prototype: an object literal of getters and arrow functions cost each stream about 1 KiB of
 * closures (P4). So a mechanism calls them on the view (`stream.send(el)`), as it would on a
 * socket, rather than detaching them.
 */
abstract class StreamView<Restart> implements Omit<AuthStreamBase, 'direction' | 'remoteDomain'> {
  // ECMAScript private fields, not properties: a mechanism reaches neither the session nor
  // the context through its view (the auth contract's compliance suite checks it).
  readonly #session: ViewedSession<Restart>
  readonly #context: StreamContext

  constructor(session: ViewedSession<Restart>, context: StreamContext) {
    this.#session = session
    this.#context = context
  }

  get phase() {
    return this.#session.phase
  }
  get localDomain() {
    return this.#session.localDomain
  }
  get remoteAddress() {
    return this.#session.remoteAddress
  }
  get streamId() {
    return this.#session.streamId
  }
  get peerHeader() {
    return this.#session.peerHeader
  }
  get tls() {
    return this.#session.tls
  }
  get localDomains() {
    return this.#context.localDomains
  }
  get negotiationMs() {
    return this.#context.timeouts.negotiationMs
  }
  get logger() {
    return this.#context.logger
  }
  get authenticatedPairs() {
    return this.#session.authenticatedPairs
  }
  security(remote: string | undefined) {
    return this.#context.securityFor(remote)
  }
  isAuthenticated(local: string, remote: string): boolean {
    return this.#session.isAuthenticated(local, remote)
  }
  send(element: Element): void {
    this.#session.send(element)
  }
  nextElement(match: (element: Element) => boolean, timeoutMs: number): Promise<Element> {
    return this.#session.nextElement(match, timeoutMs)
  }
  close(condition?: string, text?: string): Promise<unknown> {
    return this.#session.close(condition as StreamErrorCondition | undefined, text)
  }
  authenticate(local: string, remote: string, mechanism: string): void {
    this.#session.grant(local, remote, mechanism)
  }
  restartStream(): Restart {
    return this.#session.restartStream()
  }
}

/** An inbound stream as its auth mechanisms see it. */
export class InboundView extends StreamView<void> implements InboundAuthStream {
  readonly #inbound: ViewedSession<void>

  constructor(inbound: ViewedSession<void>, context: StreamContext) {
    super(inbound, context)
    this.#inbound = inbound
  }
  get direction(): 'inbound' {
    return 'inbound'
  }
  get remoteDomain() {
    return this.#inbound.remoteDomain
  }
}

/** An outbound session adds what it knows from the start and the peer's latest features. */
export type ViewedOutbound = ViewedSession<Promise<Element>> & {
  readonly remoteDomain: string
  readonly features: Element | undefined
}

/** An outbound stream as its auth mechanisms see it: the remote domain is known from the start. */
export class OutboundView extends StreamView<Promise<Element>> implements OutboundAuthStream {
  readonly #outbound: ViewedOutbound

  constructor(outbound: ViewedOutbound, context: StreamContext) {
    super(outbound, context)
    this.#outbound = outbound
  }
  get direction(): 'outbound' {
    return 'outbound'
  }
  get remoteDomain(): string {
    return this.#outbound.remoteDomain
  }
  get features(): Element | undefined {
    return this.#outbound.features
  }
}
