import type { X509Certificate } from 'node:crypto'
import type { Socket } from 'node:net'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import {
  ALPN_XMPP_SERVER,
  createStreamContext,
  OutboundSession,
  type PeerHeader,
  type TlsState,
} from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import type { LocalSetup } from './local-setup.js'

/** What one unauthenticated stream to a target showed. */
export interface StreamProbe {
  directTls: boolean
  /** `<stream:features/>` in the order received: before TLS (STARTTLS), then after. */
  features: Element[]
  /** The peer's latest stream header. */
  header: PeerHeader | undefined
  tls: TlsState | undefined
  /** The certificates the peer presented, leaf first. */
  presented: X509Certificate[]
  /** Set when the direct TLS handshake failed, before any XML. */
  handshakeError: Error | undefined
  /** Why the stream ended before TLS and features were negotiated; undefined when it got there. */
  error: Error | undefined
}

export interface ProbeOptions {
  remoteDomain: string
  setup: LocalSetup
  directTls: boolean
  negotiationMs: number
}

/**
 * Negotiates TLS and features on a connected socket without authenticating. The certificate
 * is accepted whatever it is (requireValidCertificate false) so that every check can look at it.
 */
export async function probeStream(socket: Socket, options: ProbeOptions): Promise<StreamProbe> {
  const probe: StreamProbe = {
    directTls: options.directTls,
    features: [],
    header: undefined,
    tls: undefined,
    presented: [],
    handshakeError: undefined,
    error: undefined,
  }
  let transport: Socket | TLSSocket = socket
  if (options.directTls) {
    try {
      transport = await directTlsHandshake(socket, options)
    } catch (error) {
      socket.destroy()
      return { ...probe, handshakeError: error as Error }
    }
  }
  const context = createStreamContext({
    localDomains: [options.setup.localDomain],
    auth: [],
    tls: options.setup.identity,
    security: { tls: 'required', requireValidCertificate: false },
    timeouts: { negotiationMs: options.negotiationMs, keepaliveMs: 0, closeMs: 1000 },
  })
  const { localDomain } = options.setup
  const session = new OutboundSession(transport, context, localDomain, options.remoteDomain, false)
  const features: Element[] = []
  session.on('features', (element) => features.push(element))
  session.start()
  try {
    await session.ready
    await session.close()
  } catch (error) {
    probe.error = error as Error
  }
  const presented = [...(session.tls?.peerCertificate?.presented ?? [])]
  return { ...probe, features, presented, header: session.peerHeader, tls: session.tls }
}

function directTlsHandshake(socket: Socket, options: ProbeOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      servername: options.remoteDomain,
      secureContext: options.setup.identity.contextFor(options.setup.localDomain),
      // Our own checks judge the certificate; OpenSSL's would stop at the first fault.
      rejectUnauthorized: false,
      ALPNProtocols: [ALPN_XMPP_SERVER],
    })
    const timer = setTimeout(() => {
      secure.destroy()
      reject(new Error(`no TLS handshake within ${options.negotiationMs} ms`))
    }, options.negotiationMs)
    secure.once('secureConnect', () => {
      clearTimeout(timer)
      secure.removeAllListeners('error')
      resolve(secure)
    })
    secure.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}
