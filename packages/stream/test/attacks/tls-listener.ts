import { X509Certificate } from 'node:crypto'
import { connect as netConnect, type Server, type Socket } from 'node:net'
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls'
import { createTestCA, type IssuedCertificate } from '@xmpp-federation/testing'
import { peerHeader, STARTTLS } from '../../fuzz/hostile-peer.js'
import { trustingDialback } from '../../fuzz/trusting-dialback.js'
import {
  ALPN_XMPP_SERVER,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  listen,
  type StreamContext,
} from '../../src/index.js'

/**
 * Our real listener with TLS required (c.test), and a raw TLS client that
 * reaches it over STARTTLS or direct TLS (XEP-0368) presenting a client
 * certificate (b.test) from the same test CA, as a dialback-only peer does
 * on its verification connection.
 */
export interface TlsListenerFixture {
  readonly context: StreamContext
  readonly client: IssuedCertificate
  /** Size of the chain the client presents, in DER bytes: what a stateless ticket would carry. */
  readonly clientChainBytes: number
  /** Starts a listener on `host`, port 0; closed by `close()`. */
  start(host: string, directTls: boolean): Promise<number>
  close(): Promise<void>
}

export async function tlsListenerFixture(): Promise<TlsListenerFixture> {
  const ca = await createTestCA()
  const server = await ca.issue({ dnsNames: ['c.test'] })
  const client = await ca.issue({ dnsNames: ['b.test'] })
  const context = createStreamContext({
    localDomains: ['c.test'],
    auth: [trustingDialback()],
    tls: createTlsIdentity({
      anchors: createTrustAnchors({ ca: [ca.certPem] }),
      credentials: { '*': { cert: server.chainPem, key: server.keyPem } },
    }),
    security: { tls: 'required', requireValidCertificate: false },
    timeouts: { negotiationMs: 3000, closeMs: 200 },
  })
  const servers: Server[] = []
  return {
    context,
    client,
    clientChainBytes: derBytes(client.chainPem),
    async start(host, directTls) {
      const listener = await listen(context, { host, port: 0, directTls }, () => {})
      servers.push(listener)
      return (listener.address() as { port: number }).port
    },
    async close() {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    },
  }
}

/** A client TLS connection and the TCP socket under it (whose bytesRead counts TLS records). */
export interface RawTlsClient {
  readonly tcp: Socket
  readonly tls: TLSSocket
}

/**
 * Connects, negotiates STARTTLS in clear unless `directTls`, then does the TLS
 * handshake; resolves once the client has sent its Finished.
 */
export async function connectTlsClient(
  host: string,
  port: number,
  options: { directTls: boolean; tls: ConnectionOptions },
): Promise<RawTlsClient> {
  const tcp = netConnect({ host, port })
  tcp.on('error', () => {})
  await new Promise<void>((resolve, reject) => tcp.once('connect', resolve).once('error', reject))
  if (!options.directTls) await negotiateStartTls(tcp)
  const tls = tlsConnect({
    socket: tcp,
    servername: 'c.test',
    rejectUnauthorized: false,
    ...(options.directTls ? { ALPNProtocols: [ALPN_XMPP_SERVER] } : {}),
    ...options.tls,
  })
  tls.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    tls.once('secureConnect', resolve)
    tls.once('close', () => reject(new Error('closed during the TLS handshake')))
  })
  return { tcp, tls }
}

async function negotiateStartTls(tcp: Socket): Promise<void> {
  let received = ''
  const waitFor = (needle: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!received.includes(needle)) return
        tcp.off('data', onData)
        resolve()
      }
      const onData = (data: Buffer) => {
        received += data.toString('utf8')
        check()
      }
      tcp.on('data', onData)
      tcp.once('close', () => reject(new Error(`closed before ${needle}; got ${received}`)))
      check()
    })
  tcp.write(peerHeader('b.test', 'c.test'))
  await waitFor('</stream:features>')
  tcp.write(STARTTLS)
  await waitFor('<proceed')
}

function derBytes(chainPem: string): number {
  return chainPem
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((pem) => pem.includes('BEGIN CERTIFICATE'))
    .reduce((total, pem) => total + new X509Certificate(pem).raw.length, 0)
}
