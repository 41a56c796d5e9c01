import { Element } from 'ltx'
import { beforeAll, describe, expect, it } from 'vitest'
import { connectStream, NegotiationError, NS } from '../src/index.js'
import { contextFor, createPki, type Pki, startListener } from './fixtures.js'

// Library to library over real TCP and TLS on loopback: STARTTLS, SASL EXTERNAL, a stanza each way of the check.
describe('outbound to inbound, certificates', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki(['c.test', 'd.test', 'e.test'])
  })

  it('authenticates with EXTERNAL after STARTTLS and carries a stanza', async () => {
    const listener = await startListener(contextFor(pki, 'd.test'))
    const outbound = await connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
    })
    const inbound = await listener.nextSession()
    expect(outbound.tls?.protocol).toBe('TLSv1.3')
    expect(outbound.authenticatedPairs).toEqual([
      { local: 'c.test', remote: 'd.test', mechanism: 'EXTERNAL' },
    ])
    const received = new Promise<Element>((resolve) => inbound.once('stanza', resolve))
    outbound.sendStanza(
      new Element('message', { from: 'bot@c.test', to: 'alice@d.test', type: 'chat' })
        .c('body')
        .t('hi')
        .root(),
    )
    const stanza = await received
    expect(stanza.getChildText('body')).toBe('hi')
    expect(stanza.attrs.xmlns).toBe(NS.server)
    expect(inbound.authenticatedPairs).toEqual([{ local: 'd.test', remote: 'c.test', mechanism: 'EXTERNAL' }])
    expect(inbound.tls?.peerCertificate?.validFor('c.test')).toBe(true)

    // Closing handshake: our </stream:stream> is answered and both sides report closed.
    const inboundClosed = inbound.closed
    const info = await outbound.close()
    expect(info.error).toBeUndefined()
    expect((await inboundClosed).initiator).toBe('remote')
    await listener.close()
  })

  it('reports every features element and the certificates the peer presented', async () => {
    const listener = await startListener(contextFor(pki, 'd.test'))
    const seen: string[] = []
    const outbound = await connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
      onSession: (session) =>
        session.on('features', (features) =>
          seen.push(
            features
              .getChildElements()
              .map((c) => c.name)
              .join(','),
          ),
        ),
    })
    // Before TLS, after TLS, after the SASL restart.
    expect(seen).toEqual(['starttls,limits', 'mechanisms,limits', 'sm,limits'])
    expect(outbound.tls?.peerCertificate?.presented[0]?.subjectAltName).toBe('DNS:d.test')
    await outbound.close()
    await listener.close()
  })

  it('direct TLS (XEP-0368) negotiates ALPN xmpp-server and authenticates', async () => {
    const listener = await startListener(contextFor(pki, 'd.test'), true)
    const outbound = await connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
      directTls: true,
    })
    expect(outbound.tls?.alpn).toBe('xmpp-server')
    expect(outbound.authenticatedPairs[0]?.mechanism).toBe('EXTERNAL')
    await outbound.close()
    await listener.close()
  })

  it('refuses to send from a domain the stream was not authenticated for', async () => {
    const listener = await startListener(contextFor(pki, 'd.test'))
    const outbound = await connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
    })
    const spoof = new Element('message', { from: 'mallory@e.test', to: 'alice@d.test' })
    expect(() => outbound.sendStanza(spoof)).toThrow(/not authenticated for e.test -> d.test/)
    await outbound.close()
    await listener.close()
  })

  it('outbound refuses a server whose certificate names another domain, before any stanza', async () => {
    // d.test's listener presents e.test's certificate.
    const listener = await startListener(contextFor(pki, 'd.test', { cert: pki.certs['e.test'] }))
    const attempt = connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
    })
    await expect(attempt).rejects.toMatchObject({ name: 'NegotiationError', code: 'CERT_INVALID' })
    await listener.close()
  })

  it('inbound does not offer EXTERNAL to a peer whose certificate names another domain', async () => {
    const listener = await startListener(contextFor(pki, 'd.test'))
    // c.test connects presenting e.test's certificate.
    const attempt = connectStream({
      context: contextFor(pki, 'c.test', { cert: pki.certs['e.test'] }),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
    })
    const error = await attempt.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NegotiationError)
    expect((error as NegotiationError).code).toBe('AUTH_FAILED')
    expect((error as Error).message).toMatch(/EXTERNAL: not offered/)
    const inbound = await listener.nextSession()
    expect(inbound.tls?.peerCertificate?.validFor('c.test')).toBe(false)
    expect(inbound.authenticatedPairs).toEqual([])
    await listener.close()
  })

  it('a certificate from an untrusted CA is refused', async () => {
    const other = await createPki(['c.test'])
    const listener = await startListener(contextFor(pki, 'd.test'))
    const attempt = connectStream({
      context: contextFor(pki, 'c.test', { cert: other.certs['c.test'] }),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
    })
    await expect(attempt).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    const inbound = await listener.nextSession()
    expect(inbound.tls?.peerCertificate?.chain.ok).toBe(false)
    await listener.close()
  })

  it('accepts a peer certificate that has only the serverAuth EKU', async () => {
    const serverOnly = await pki.ca.issue({ dnsNames: ['c.test'], extendedKeyUsage: ['serverAuth'] })
    const listener = await startListener(contextFor(pki, 'd.test'))
    const outbound = await connectStream({
      context: contextFor(pki, 'c.test', { cert: serverOnly }),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: listener.port,
    })
    expect(outbound.authenticatedPairs[0]?.mechanism).toBe('EXTERNAL')
    await outbound.close()
    await listener.close()
  })
})
