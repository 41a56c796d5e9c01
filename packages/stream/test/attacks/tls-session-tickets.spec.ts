import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { connectTlsClient, type TlsListenerFixture, tlsListenerFixture } from './tls-listener.js'

// Issue 13: after a TLS 1.3 handshake with a client certificate, OpenSSL 3 by
// default sends two stateless session tickets, each carrying the client's
// certificate; a dialback-only peer aborted its verification connection on that
// flight. s2s never resumes sessions, so the listener must send no such ticket.
// The server says nothing else until the peer opens its stream, so every byte
// that arrives after the client's Finished is a post-handshake message.
const HOST = '127.0.0.90'
const SETTLE_MS = 300

describe('TLS 1.3 session tickets on inbound s2s', () => {
  let fixture: TlsListenerFixture

  beforeAll(async () => {
    fixture = await tlsListenerFixture()
  })
  afterAll(() => fixture.close())

  for (const directTls of [false, true]) {
    const path = directTls ? 'direct TLS (XEP-0368)' : 'STARTTLS'
    it(`${path}: no ticket carries the client's certificate chain`, async ({ task }) => {
      const port = await fixture.start(HOST, directTls)
      const { tcp, tls } = await connectTlsClient(HOST, port, {
        directTls,
        tls: { cert: fixture.client.chainPem, key: fixture.client.keyPem, minVersion: 'TLSv1.3' },
      })
      expect(tls.getProtocol()).toBe('TLSv1.3')
      const tickets: number[] = []
      tls.on('session', (session: Buffer) => tickets.push(session.length))
      const atFinished = tcp.bytesRead
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
      const postHandshakeBytes = tcp.bytesRead - atFinished
      tls.destroy()
      expect(postHandshakeBytes).toBeLessThan(fixture.clientChainBytes)
      report(task, {
        outcome: `${tickets.length} tickets, ${postHandshakeBytes} bytes after the handshake`,
        counts: { tickets: tickets.length, postHandshakeBytes, clientChainBytes: fixture.clientChainBytes },
      })
    })
  }

  it('TLS 1.2: no session ticket at all', async () => {
    const port = await fixture.start(HOST, false)
    const { tls } = await connectTlsClient(HOST, port, {
      directTls: false,
      tls: { cert: fixture.client.chainPem, key: fixture.client.keyPem, maxVersion: 'TLSv1.2' },
    })
    expect(tls.getProtocol()).toBe('TLSv1.2')
    expect(tls.getTLSTicket()).toBeUndefined()
    tls.destroy()
  })
})
