import type { AddressInfo, Server } from 'node:net'
import { connect as netConnect, type Socket } from 'node:net'
import {
  type AuthMechanism,
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type InboundSession,
  type Logger,
  listen,
  type OutboundSession,
  type SecurityPolicy,
  type StreamContext,
} from '@xmpp-federation/stream'
import { createTestCA, type IssuedCertificate, type TestCA } from '@xmpp-federation/testing'
import { type DialbackMechanism, type DialbackOptions, dialback } from '../src/index.js'

/** Where each domain's server listens: what DNS would answer, for the tests' nodes on 127.0.0.1. */
export type Routes = Map<string, number>

export interface LogEntry {
  level: keyof Logger
  message: string
  fields: Record<string, unknown> | undefined
}

export interface TestNode {
  readonly domains: string[]
  readonly context: StreamContext
  readonly mechanism: DialbackMechanism
  readonly port: number
  readonly sessions: InboundSession[]
  /** The (local, remote) of every verification stream this node opened as a receiving server. */
  readonly verifications: Array<{ local: string; remote: string }>
  readonly logs: LogEntry[]
  /** The next inbound session (or the latest one already accepted, when `fresh` is false). */
  nextSession(fresh?: boolean): Promise<InboundSession>
  /** An outbound stream from `local` to `remote` (the route table says where `remote` is). */
  connect(local: string, remote: string, options?: { authenticate?: boolean }): Promise<OutboundSession>
  close(): Promise<void>
}

export interface NodeOptions {
  domains: string[]
  routes: Routes
  security?: SecurityPolicy
  /** PEM certificate + key to present; none: no TLS at all. */
  certificate?: IssuedCertificate
  /** Trust anchors for peer certificates; default: the certificate's own CA is unknown, nothing is trusted. */
  ca?: TestCA
  dialback?: DialbackOptions
  /** The mechanisms in order; default just dialback. */
  auth?: (dialback: DialbackMechanism) => AuthMechanism[]
}

export const NO_TLS: SecurityPolicy = { tls: 'none', requireValidCertificate: false }

/** A library server for `domains` on 127.0.0.1 (random port), registered in `routes`. */
export async function startNode(options: NodeOptions): Promise<TestNode> {
  const logs: LogEntry[] = []
  const logger = recordingLogger(logs)
  const mechanism = dialback({ secret: 'test-secret', timeoutMs: 3_000, ...options.dialback })
  const tls = options.certificate
    ? createTlsIdentity({
        anchors: createTrustAnchors({ ca: options.ca ? [options.ca.certPem] : [] }),
        credentials: { '*': { cert: options.certificate.chainPem, key: options.certificate.keyPem } },
      })
    : undefined
  const context = createStreamContext({
    localDomains: options.domains,
    auth: options.auth ? options.auth(mechanism) : [mechanism],
    tls,
    security: options.security ?? NO_TLS,
    logger,
  })
  const verifications: Array<{ local: string; remote: string }> = []
  const connect = async (local: string, remote: string, connectOptions: { authenticate?: boolean } = {}) => {
    const port = options.routes.get(remote)
    if (port === undefined) throw new Error(`no route to ${remote}`)
    return connectStream({
      context,
      localDomain: local,
      remoteDomain: remote,
      host: '127.0.0.1',
      port,
      ...connectOptions,
    })
  }
  mechanism.start({
    openVerificationStream: (local, remote) => {
      verifications.push({ local, remote })
      return connect(local, remote, { authenticate: false })
    },
  })

  const sessions: InboundSession[] = []
  const waiting: Array<(session: InboundSession) => void> = []
  const server: Server = await listen(context, { host: '127.0.0.1', port: 0 }, (session) => {
    sessions.push(session)
    for (const resolve of waiting.splice(0)) resolve(session)
  })
  const port = (server.address() as AddressInfo).port
  for (const domain of options.domains) options.routes.set(domain, port)

  return {
    domains: options.domains,
    context,
    mechanism,
    port,
    sessions,
    verifications,
    logs,
    nextSession: (fresh = true) =>
      new Promise((resolve) =>
        !fresh && sessions.length ? resolve(sessions.at(-1)!) : waiting.push(resolve),
      ),
    connect,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) void session.close()
        server.close(() => resolve())
      }),
  }
}

/** Inbound sessions of `node` that authenticated something (verification streams never do). */
export function authenticatedSessions(node: TestNode): InboundSession[] {
  return node.sessions.filter((session) => session.authenticatedPairs.length > 0)
}

function recordingLogger(logs: LogEntry[]): Logger {
  const record = (level: keyof Logger) => (fields: Record<string, unknown>, message: string) => {
    logs.push({ level, message, fields })
  }
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
}

/** A raw TCP peer that writes whatever a test says and records what it receives. */
export async function rawPeer(port: number) {
  const socket: Socket = netConnect({ port, host: '127.0.0.1' })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let received = ''
  socket.on('data', (chunk) => {
    received += chunk.toString('utf8')
  })
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  return {
    write: (text: string) => socket.write(text),
    get received() {
      return received
    },
    /** Resolves with everything received once `pattern` matches it. */
    waitFor: (pattern: RegExp, timeoutMs = 3000) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(received)) return
          socket.off('data', check)
          clearTimeout(timer)
          resolve(received)
        }
        const timer = setTimeout(() => {
          socket.off('data', check)
          reject(new Error(`timed out waiting for ${pattern}; received: ${received}`))
        }, timeoutMs)
        socket.on('data', check)
        check()
      }),
    ended,
    destroy: () => socket.destroy(),
  }
}

/** The opening of an s2s stream as a peer writes it. */
export const header = (from: string, to: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'>`

/** The stream id our server gave a raw peer. */
export function streamIdIn(received: string): string {
  const id = /<stream:stream [^>]*\bid='([^']+)'/.exec(received)?.[1]
  if (!id) throw new Error(`no stream id in ${received}`)
  return id
}

export { createTestCA }
