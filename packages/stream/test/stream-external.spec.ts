import { Element } from 'ltx'
import { beforeAll, describe, expect, it } from 'vitest'
import { NegotiationError, NS } from '../src/index.js'
import { connectedPair, createPki, type Pki } from './fixtures.js'

// Library to library over real TCP and TLS on loopback: STARTTLS, SASL EXTERNAL, a stanza across.
describe('outbound to inbound, certificates', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki(['c.test', 'd.test', 'e.test'])
  })

  it('authenticates with EXTERNAL after STARTTLS and carries a stanza', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const inbound = await pair.listener.nextSession()
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
    await pair.close()
  })

  it('hands a stanza on in canonical form with the pair it travels on, parsed once by the stream', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const inbound = await pair.listener.nextSession()
    const received: [Element, unknown][] = []
    inbound.on('stanza', (stanza, travelsOn) => received.push([stanza, travelsOn]))
    const done = new Promise((resolve) => inbound.on('stanza', (s) => s.attrs.id === 'last' && resolve(s)))
    outbound.sendStanza(new Element('message', { from: 'Bot@C.TEST./Desk', to: 'ALICE@d.test', id: '1' }))
    outbound.sendStanza(new Element('message', { from: 'bot@c.test', to: 'd.test', id: 'last' }))
    await done
    expect(received.map(([s]) => [s.attrs.from, s.attrs.to])).toEqual([
      ['bot@c.test/Desk', 'alice@d.test'],
      ['bot@c.test', 'd.test'],
    ])
    for (const [, travelsOn] of received) {
      expect(travelsOn).toEqual({ local: 'd.test', remote: 'c.test', mechanism: 'EXTERNAL' })
    }
    await pair.close()
  })

  it('reports every features element and the certificates the peer presented', async () => {
    const seen: string[] = []
    const pair = await connectedPair(pki, {
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
    const outbound = await pair.outbound
    // Before TLS, after TLS, after the SASL restart.
    expect(seen).toEqual(['starttls,limits', 'mechanisms,bidi,limits', 'sm,limits'])
    expect(outbound.tls?.peerCertificate?.presented[0]?.subjectAltName).toBe('DNS:d.test')
    await pair.close()
  })

  it('direct TLS (XEP-0368) negotiates ALPN xmpp-server and authenticates', async () => {
    const pair = await connectedPair(pki, { directTls: true })
    const outbound = await pair.outbound
    expect(outbound.tls?.alpn).toBe('xmpp-server')
    expect(outbound.authenticatedPairs[0]?.mechanism).toBe('EXTERNAL')
    await pair.close()
  })

  it('refuses to send from a domain the stream was not authenticated for', async () => {
    const pair = await connectedPair(pki)
    const spoof = new Element('message', { from: 'mallory@e.test', to: 'alice@d.test' })
    await expect(pair.outbound.then((o) => o.sendStanza(spoof))).rejects.toThrow(
      /not authenticated for e.test -> d.test/,
    )
    await pair.close()
  })

  it('outbound refuses a server whose certificate names another domain, before any stanza', async () => {
    // d.test's listener presents e.test's certificate.
    const pair = await connectedPair(pki, { server: { cert: pki.certs['e.test'] } })
    await expect(pair.outbound).rejects.toMatchObject({ name: 'NegotiationError', code: 'CERT_INVALID' })
    await pair.close()
  })

  it('inbound does not offer EXTERNAL to a peer whose certificate names another domain', async () => {
    // c.test connects presenting e.test's certificate.
    const pair = await connectedPair(pki, { client: { cert: pki.certs['e.test'] } })
    const error = await pair.outbound.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NegotiationError)
    expect((error as NegotiationError).code).toBe('AUTH_FAILED')
    expect((error as Error).message).toMatch(/EXTERNAL: not offered/)
    const inbound = await pair.listener.nextSession()
    expect(inbound.tls?.peerCertificate?.validFor('c.test')).toBe(false)
    expect(inbound.authenticatedPairs).toEqual([])
    await pair.close()
  })

  it('a certificate from an untrusted CA is refused', async () => {
    const other = await createPki(['c.test'])
    const pair = await connectedPair(pki, { client: { cert: other.certs['c.test'] } })
    await expect(pair.outbound).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    const inbound = await pair.listener.nextSession()
    expect(inbound.tls?.peerCertificate?.chain.ok).toBe(false)
    await pair.close()
  })

  it('accepts a peer certificate that has only the serverAuth EKU', async () => {
    const serverOnly = await pki.ca.issue({ dnsNames: ['c.test'], extendedKeyUsage: ['serverAuth'] })
    const pair = await connectedPair(pki, { client: { cert: serverOnly } })
    expect((await pair.outbound).authenticatedPairs[0]?.mechanism).toBe('EXTERNAL')
    await pair.close()
  })
})
