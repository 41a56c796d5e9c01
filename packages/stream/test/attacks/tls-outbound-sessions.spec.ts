import { connect as netConnect } from 'node:net'
import { createServer, type SecureContext, type Server, type TLSSocket } from 'node:tls'
import { createTestCA, type IssuedCertificate } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTlsIdentity, createTrustAnchors } from '../../src/index.js'
import { handshake, startClientTls } from '../../src/tls-upgrade.js'

// The outbound side never resumes a session either: with or without a
// certificate of ours it asks a TLS 1.2 server for no ticket, and it still
// completes handshakes against a server that hands out TLS 1.3 tickets.
const HOST = '127.0.0.91'

describe('TLS sessions on outbound s2s', () => {
  let remote: IssuedCertificate
  let ours: SecureContext | undefined
  const servers: Server[] = []
  const accepted: TLSSocket[] = []

  beforeAll(async () => {
    const ca = await createTestCA()
    remote = await ca.issue({ dnsNames: ['a.test'] })
    const local = await ca.issue({ dnsNames: ['c.test'] })
    ours = createTlsIdentity({
      anchors: createTrustAnchors({ ca: [ca.certPem] }),
      credentials: { '*': { cert: local.chainPem, key: local.keyPem } },
    }).contextFor('c.test')
  })
  afterAll(async () => {
    for (const socket of accepted) socket.destroy()
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  })

  /** A stock Node TLS server: it issues session tickets whenever the client accepts them. */
  async function ticketingServer(
    maxVersion: 'TLSv1.2' | 'TLSv1.3',
  ): Promise<{ port: number; reused: boolean[] }> {
    const reused: boolean[] = []
    const server = createServer({ cert: remote.chainPem, key: remote.keyPem, maxVersion }, (socket) => {
      reused.push(socket.isSessionReused())
      accepted.push(socket)
      socket.on('error', () => {})
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
    return { port: (server.address() as { port: number }).port, reused }
  }

  async function connectOut(port: number, context: SecureContext | undefined): Promise<TLSSocket> {
    const raw = netConnect({ host: HOST, port })
    await new Promise((resolve) => raw.once('connect', resolve))
    const secure = startClientTls(raw, { servername: 'a.test', context })
    await handshake(secure, 'client')
    return secure
  }

  for (const withCertificate of [true, false]) {
    const who = withCertificate ? 'with our certificate' : 'without a certificate'
    it(`TLS 1.2 ${who}: asks for no session ticket`, async () => {
      const { port } = await ticketingServer('TLSv1.2')
      const secure = await connectOut(port, withCertificate ? ours : undefined)
      expect(secure.getProtocol()).toBe('TLSv1.2')
      expect(secure.getTLSTicket()).toBeUndefined()
      secure.destroy()
    })
  }

  it('TLS 1.3: handshakes complete and no connection resumes a session', async () => {
    const { port, reused } = await ticketingServer('TLSv1.3')
    for (let i = 0; i < 3; i++) {
      const secure = await connectOut(port, ours)
      expect(secure.getProtocol()).toBe('TLSv1.3')
      await new Promise((resolve) => setTimeout(resolve, 50)) // let the tickets arrive
      secure.destroy()
    }
    expect(reused).toEqual([false, false, false])
  })
})
