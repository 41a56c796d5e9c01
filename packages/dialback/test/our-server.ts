import type { Server } from 'node:net'
import {
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type InboundSession,
  listen,
  type OutboundSession,
  type SecurityPolicy,
  type StreamContext,
  saslExternal,
} from '@xmpp-federation/stream'
import type { IssuedCertificate } from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { type DialbackMechanism, dialback } from '../src/index.js'

// Our library as the XMPP server of c.test on 127.0.0.4:5269, federating with real peers.
export const OUR_IP = '127.0.0.4'

export interface OurServerOptions {
  domains: string[]
  security: SecurityPolicy
  /** Our certificate; none: no TLS at all. */
  certificate?: IssuedCertificate
  /** domain -> address of the peers we dial (the router will resolve these; a static map here). */
  peers: Record<string, string>
  /** Try SASL EXTERNAL before dialback, as a production host would. */
  withExternal?: boolean
}

export interface OurServer {
  readonly context: StreamContext
  readonly mechanism: DialbackMechanism
  readonly inbound: InboundSession[]
  readonly verifications: Array<{ local: string; remote: string }>
  /** The next stanza delivered on any inbound stream. */
  nextStanza(predicate: (stanza: Element) => boolean, timeoutMs?: number): Promise<Element>
  connect(local: string, remote: string): Promise<OutboundSession>
  close(): Promise<void>
}

export async function startOurServer(options: OurServerOptions): Promise<OurServer> {
  const mechanism = dialback({ secret: 'interop-dialback-secret', timeoutMs: 10_000 })
  const context = createStreamContext({
    localDomains: options.domains,
    auth: options.withExternal ? [saslExternal(), mechanism] : [mechanism],
    tls: options.certificate
      ? createTlsIdentity({
          anchors: createTrustAnchors({ ca: [] }),
          credentials: { '*': { cert: options.certificate.chainPem, key: options.certificate.keyPem } },
        })
      : undefined,
    security: options.security,
  })
  const outbound: OutboundSession[] = []
  const verifications: Array<{ local: string; remote: string }> = []
  const connect = async (local: string, remote: string, authenticate = true) => {
    const host = options.peers[remote]
    if (!host) throw new Error(`no address for ${remote}`)
    const session = await connectStream({
      context,
      localDomain: local,
      remoteDomain: remote,
      host,
      port: 5269,
      authenticate,
    })
    outbound.push(session)
    return session
  }
  mechanism.start({
    openVerificationStream: (local, remote) => {
      verifications.push({ local, remote })
      return connect(local, remote, false)
    },
  })

  const inbound: InboundSession[] = []
  const stanzas: Element[] = []
  const waiters: Array<{ predicate: (s: Element) => boolean; resolve: (s: Element) => void }> = []
  const deliver = (stanza: Element) => {
    const waiter = waiters.find((w) => w.predicate(stanza))
    if (!waiter) return void stanzas.push(stanza)
    waiters.splice(waiters.indexOf(waiter), 1)
    waiter.resolve(stanza)
  }
  const server: Server = await listen(context, { host: OUR_IP, port: 5269 }, (session) => {
    inbound.push(session)
    session.on('stanza', deliver)
  })

  return {
    context,
    mechanism,
    inbound,
    verifications,
    nextStanza: (predicate, timeoutMs = 10_000) => {
      const buffered = stanzas.find(predicate)
      if (buffered) {
        stanzas.splice(stanzas.indexOf(buffered), 1)
        return Promise.resolve(buffered)
      }
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve }
        waiters.push(waiter)
        setTimeout(() => {
          if (!waiters.includes(waiter)) return
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(
            new Error(`no matching stanza within ${timeoutMs} ms; got ${stanzas.map(String).join(', ')}`),
          )
        }, timeoutMs).unref()
      })
    },
    connect: (local, remote) => connect(local, remote),
    close: async () => {
      await Promise.all([...outbound, ...inbound].map((session) => session.close()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
