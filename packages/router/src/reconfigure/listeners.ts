import type { Server } from 'node:net'
import type { Listener } from '@xmpp-federation/config'
import {
  type AddressThrottle,
  type InboundSession,
  type Logger,
  listen,
  type StreamContext,
} from '@xmpp-federation/stream'
import type { ReconfigureIssue } from './reconfigure-error.js'

/** What the listeners need from the federation: the (live) context, the throttle, where sessions go. */
export interface ListenerDeps {
  readonly context: StreamContext
  readonly throttle: () => AddressThrottle | undefined
  readonly onSession: (session: InboundSession) => void
  readonly onError: (error: Error) => void
  readonly logger: Logger
}

/** Listeners bound for a new configuration, not yet in service: commit or roll back. */
export interface PreparedListeners {
  readonly added: ReadonlyMap<string, OpenListener>
  readonly removed: readonly string[]
}

interface OpenListener {
  readonly endpoint: Listener
  readonly server: Server
}

/**
 * The federation's listening sockets, by endpoint: a reload binds the endpoints it adds
 * before anything is swapped (so a port in use refuses the reload whole) and closes the
 * ones it removes only once the new configuration is in.
 */
export class ListenerSet {
  private readonly open = new Map<string, OpenListener>()

  constructor(private readonly deps: ListenerDeps) {}

  get size(): number {
    return this.open.size
  }

  /** Binds every endpoint (at start); the first failure rejects, the ones bound stay for closeAll(). */
  async openAll(endpoints: readonly Listener[]): Promise<void> {
    for (const endpoint of endpoints) {
      const key = endpointKey(endpoint)
      if (!this.open.has(key)) this.open.set(key, await this.bind(endpoint))
    }
  }

  /**
   * Binds what `endpoints` adds to the open listeners. Every failure is collected; when
   * any bind failed, the ones that succeeded are closed again and the issues returned.
   */
  async prepare(
    endpoints: readonly Listener[],
  ): Promise<{ ok: true; prepared: PreparedListeners } | { ok: false; issues: ReconfigureIssue[] }> {
    const wanted = new Map(endpoints.map((endpoint, index) => [endpointKey(endpoint), { endpoint, index }]))
    const added = new Map<string, OpenListener>()
    const issues: ReconfigureIssue[] = []
    for (const [key, { endpoint, index }] of wanted) {
      if (this.open.has(key)) continue
      try {
        added.set(key, await this.bind(endpoint))
      } catch (error) {
        issues.push({
          code: 'LISTEN_FAILED',
          path: `listen[${index}]`,
          message: `cannot listen on ${endpoint.host ?? '0.0.0.0'}:${endpoint.port}: ${(error as Error).message}`,
          fix: 'free the port or choose another',
        })
      }
    }
    const removed = [...this.open.keys()].filter((key) => !wanted.has(key))
    const prepared = { added, removed }
    if (issues.length === 0) return { ok: true, prepared }
    this.rollback(prepared)
    return { ok: false, issues }
  }

  /** Puts the prepared listeners in service and stops accepting on the removed ones. */
  commit(prepared: PreparedListeners): void {
    for (const [key, listener] of prepared.added) this.open.set(key, listener)
    for (const key of prepared.removed) {
      const listener = this.open.get(key)
      this.open.delete(key)
      // Streams accepted on it carry on; only new connections are refused.
      listener?.server.close()
      if (listener) this.deps.logger.info(endpointFields(listener.endpoint), 'stopped listening for s2s')
    }
  }

  rollback(prepared: PreparedListeners): void {
    for (const listener of prepared.added.values()) listener.server.close()
  }

  /** Stops accepting everywhere; resolves once every connection of every listener has ended. */
  closeAll(): Promise<void> {
    const closing = [...this.open.values()].map(
      ({ server }) => new Promise<void>((resolve) => server.close(() => resolve())),
    )
    this.open.clear()
    return Promise.all(closing).then(() => undefined)
  }

  private async bind(endpoint: Listener): Promise<OpenListener> {
    const server = await listen(
      this.deps.context,
      {
        host: endpoint.host ?? '0.0.0.0',
        port: endpoint.port,
        directTls: endpoint.directTls,
        throttle: this.deps.throttle(),
      },
      this.deps.onSession,
    )
    // After start, a listener failing is nobody's promise to reject: it is reported.
    server.on('error', this.deps.onError)
    this.deps.logger.info(endpointFields(endpoint), 'listening for s2s')
    return { endpoint, server }
  }
}

function endpointKey(endpoint: Listener): string {
  return `${endpoint.host ?? '0.0.0.0'} ${endpoint.port} ${endpoint.directTls ? 'tls' : 'plain'}`
}

function endpointFields(endpoint: Listener): Record<string, unknown> {
  return { host: endpoint.host, port: endpoint.port, directTls: endpoint.directTls }
}
