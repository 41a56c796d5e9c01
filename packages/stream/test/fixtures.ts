import type { AddressInfo } from 'node:net'
import { connect as netConnect, type Server, type Socket } from 'node:net'
import { createTestCA, type IssuedCertificate, type TestCA } from '@xmpp-federation/testing'
import {
  type AuthMechanism,
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type InboundSession,
  listen,
  type OutboundSession,
  type SecurityPolicy,
  type StreamContext,
  type StreamTimeouts,
  saslExternal,
} from '../src/index.js'

/** One CA per test file, certificates for the two library domains used in tests. */
export interface Pki {
  ca: TestCA
  certs: Record<string, IssuedCertificate>
}

export async function createPki(domains: string[] = ['c.test', 'd.test']): Promise<Pki> {
  const ca = await createTestCA()
  const certs: Record<string, IssuedCertificate> = {}
  for (const domain of domains) certs[domain] = await ca.issue({ dnsNames: [domain], commonName: domain })
  return { ca, certs }
}

export function contextFor(
  pki: Pki,
  domain: string,
  options: {
    security?: SecurityPolicy
    auth?: AuthMechanism[]
    cert?: IssuedCertificate
    timeouts?: Partial<StreamTimeouts>
    maxStanzaBytes?: number
    bidi?: boolean
  } = {},
): StreamContext {
  const cert = options.cert ?? pki.certs[domain]!
  return createStreamContext({
    localDomains: [domain],
    auth: options.auth ?? [saslExternal()],
    tls: createTlsIdentity({
      anchors: createTrustAnchors({ ca: [pki.ca.certPem] }),
      credentials: { [domain]: { cert: cert.chainPem, key: cert.keyPem } },
    }),
    security: options.security ?? { tls: 'required', requireValidCertificate: true },
    timeouts: options.timeouts,
    limits: options.maxStanzaBytes ? { maxStanzaBytes: options.maxStanzaBytes } : undefined,
    bidi: options.bidi,
  })
}

/** A listener on 127.0.0.1 with a random port that records every inbound session. */
export async function startListener(context: StreamContext, directTls = false) {
  const sessions: InboundSession[] = []
  const waiting: ((s: InboundSession) => void)[] = []
  const server: Server = await listen(context, { host: '127.0.0.1', port: 0, directTls }, (session) => {
    sessions.push(session)
    for (const w of waiting.splice(0)) w(session)
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    sessions,
    nextSession: () =>
      new Promise<InboundSession>((resolve) =>
        sessions.length ? resolve(sessions.at(-1)!) : waiting.push(resolve),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) void s.close()
        server.close(() => resolve())
      }),
  }
}

/** A raw TCP peer that speaks whatever bytes a test writes and records what it receives. */
export async function rawPeer(port: number) {
  const socket: Socket = netConnect({ port, host: '127.0.0.1' })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let received = ''
  socket.on('data', (d) => {
    received += d.toString('utf8')
  })
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  return {
    socket,
    write: (text: string | Buffer) => socket.write(text),
    get received() {
      return received
    },
    /** Resolves with everything received once `pattern` matches it. */
    waitFor: (pattern: RegExp, timeoutMs = 3000) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (pattern.test(received)) {
            socket.off('data', check)
            clearTimeout(timer)
            resolve(received)
          }
        }
        const timer = setTimeout(() => {
          socket.off('data', check)
          reject(new Error(`timed out waiting for ${pattern}; received: ${received}`))
        }, timeoutMs)
        socket.on('data', check)
        check()
      }),
    ended,
  }
}

export const HEADER = (from: string, to: string, extra = "version='1.0'") =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' ${extra}>`

/**
 * The common shape of a library-to-library test: d.test listens on 127.0.0.1,
 * c.test connects to it. `close()` ends both.
 */
export async function connectedPair(
  pki: Pki,
  options: {
    client?: Parameters<typeof contextFor>[2]
    server?: Parameters<typeof contextFor>[2]
    directTls?: boolean
    onSession?: (session: OutboundSession) => void
  } = {},
) {
  const listener = await startListener(contextFor(pki, 'd.test', options.server), options.directTls)
  const outbound = connectStream({
    context: contextFor(pki, 'c.test', options.client),
    localDomain: 'c.test',
    remoteDomain: 'd.test',
    host: '127.0.0.1',
    port: listener.port,
    directTls: options.directTls,
    onSession: options.onSession,
  })
  // A refused attempt still leaves the listener to close.
  outbound.catch(() => {})
  return {
    listener,
    outbound,
    close: async () => {
      const session = await outbound.catch(() => undefined)
      await session?.close()
      await listener.close()
    },
  }
}
