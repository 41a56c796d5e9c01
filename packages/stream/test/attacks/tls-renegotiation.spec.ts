import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { report } from '../../fuzz/report.js'
import { connectTlsClient, type TlsListenerFixture, tlsListenerFixture } from './tls-listener.js'

// Issue 12: a TLS 1.2 peer could renegotiate without limit on our server
// sockets (2,000 full handshakes in 2.6 s), each one our CPU. s2s never needs
// renegotiation, so the listener refuses the first one.
const HOST = '127.0.0.92'
const ATTEMPTS = 20

/** Resolves true if the server went through with the renegotiation. */
function renegotiate(tls: TLSSocket): Promise<boolean> {
  return new Promise((resolve) => {
    const refused = () => resolve(false)
    tls.once('error', refused)
    tls.once('close', refused)
    const started = tls.renegotiate({ rejectUnauthorized: false }, (error) => {
      tls.off('error', refused)
      tls.off('close', refused)
      resolve(!error)
    })
    if (!started) resolve(false)
  })
}

describe('TLS 1.2 renegotiation on inbound s2s', () => {
  let fixture: TlsListenerFixture

  beforeAll(async () => {
    fixture = await tlsListenerFixture()
  })
  afterAll(() => fixture.close())

  for (const directTls of [false, true]) {
    const path = directTls ? 'direct TLS (XEP-0368)' : 'STARTTLS'
    it(`${path}: the server refuses to renegotiate`, async ({ task }) => {
      const port = await fixture.start(HOST, directTls)
      const { tls } = await connectTlsClient(HOST, port, {
        directTls,
        tls: { cert: fixture.client.chainPem, key: fixture.client.keyPem, maxVersion: 'TLSv1.2' },
      })
      expect(tls.getProtocol()).toBe('TLSv1.2')
      let accepted = 0
      while (accepted < ATTEMPTS && (await renegotiate(tls))) accepted++
      tls.destroy()
      expect(accepted).toBe(0)
      report(task, { outcome: `${accepted} of ${ATTEMPTS} renegotiations accepted`, counts: { accepted } })
    })
  }
})
