import type { AddressInfo } from 'node:net'
import { createServer, type Socket } from 'node:net'
import { Element } from 'ltx'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectStream, type InboundSession, StreamError } from '../src/index.js'
import { connectedPair, contextFor, createPki, HEADER, type Pki, rawPeer, startListener } from './fixtures.js'

// What a hostile or broken peer meets on our inbound side, byte by byte.
describe('inbound stream against raw peers', () => {
  let pki: Pki
  let listener: Awaited<ReturnType<typeof startListener>>
  let clearListener: Awaited<ReturnType<typeof startListener>>
  const stanzas: Element[] = []
  const watch = (session: InboundSession) => session.on('stanza', (s) => stanzas.push(s))

  beforeAll(async () => {
    pki = await createPki()
    listener = await startListener(
      contextFor(pki, 'd.test', { timeouts: { negotiationMs: 400 }, maxStanzaBytes: 4096 }),
    )
    clearListener = await startListener(
      contextFor(pki, 'd.test', { security: { tls: 'none', requireValidCertificate: false } }),
    )
  })
  afterAll(async () => {
    await listener.close()
    await clearListener.close()
  })

  it('answers a header in the wrong namespace with invalid-namespace and ends the connection', async () => {
    const peer = await rawPeer(listener.port)
    peer.write(
      "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='d.test' version='1.0'>",
    )
    const text = await peer.waitFor(/<\/stream:stream>/)
    // RFC 6120 §4.9.1.2: an opening header precedes the error even when the peer's was unacceptable.
    expect(text.indexOf('<stream:stream ')).toBeLessThan(text.indexOf('<stream:error>'))
    expect(text).toContain('<invalid-namespace xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>')
    await peer.ended
  })

  it('refuses a stream to a domain it does not serve with host-unknown', async () => {
    const peer = await rawPeer(listener.port)
    peer.write(HEADER('c.test', 'elsewhere.test'))
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<host-unknown')
  })

  it('requires STARTTLS: offers it as required and refuses a stanza in clear with not-authorized', async () => {
    const peer = await rawPeer(listener.port)
    const session = listener.nextSession()
    peer.write(HEADER('c.test', 'd.test'))
    const features = await peer.waitFor(/<\/stream:features>/)
    expect(features).toContain('<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required/></starttls>')
    expect(features).not.toContain('EXTERNAL')
    watch(await session)
    peer.write("<message from='a@c.test' to='b@d.test'><body>secret</body></message>")
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<not-authorized')
    expect(stanzas).toEqual([])
  })

  it('discards cleartext pipelined after <starttls/> instead of parsing it', async () => {
    const peer = await rawPeer(listener.port)
    const session = listener.nextSession()
    peer.write(HEADER('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    const inbound = await session
    watch(inbound)
    const errors: unknown[] = []
    inbound.on('closed', (info) => errors.push(info.error))
    peer.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message from='a@c.test' to='b@d.test'/>")
    await peer.waitFor(/<proceed/)
    await new Promise((r) => setTimeout(r, 100))
    expect(stanzas).toEqual([])
    peer.socket.destroy()
  })

  it('ends a stream with an undeclared entity with restricted-xml, and keeps serving', async () => {
    const peer = await rawPeer(clearListener.port)
    peer.write(`${HEADER('c.test', 'd.test')}<message>&bogus;</message>`)
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<restricted-xml')
    const next = await rawPeer(clearListener.port)
    next.write(HEADER('c.test', 'd.test'))
    expect(await next.waitFor(/<\/stream:features>/)).toContain('<stream:features')
    next.socket.destroy()
  })

  it('ends a stream with &#0; with not-well-formed', async () => {
    const peer = await rawPeer(clearListener.port)
    peer.write(`${HEADER('c.test', 'd.test')}<message>&#0;</message>`)
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<not-well-formed')
  })

  it('rejects a DOCTYPE with restricted-xml', async () => {
    const peer = await rawPeer(clearListener.port)
    peer.write(`<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY lol "lol">]>${HEADER('c.test', 'd.test')}`)
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<restricted-xml')
  })

  it('refuses a stanza before authentication with not-authorized', async () => {
    const peer = await rawPeer(clearListener.port)
    const session = clearListener.nextSession()
    peer.write(HEADER('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    watch(await session)
    peer.write("<message from='a@c.test' to='b@d.test'><body>x</body></message>")
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<not-authorized')
    expect(stanzas).toEqual([])
  })

  it("answers the peer's </stream:stream> with its own and ends the socket", async () => {
    const peer = await rawPeer(clearListener.port)
    const session = clearListener.nextSession()
    peer.write(HEADER('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    const inbound = await session
    peer.write('</stream:stream>')
    await peer.waitFor(/<\/stream:stream>$/)
    await peer.ended
    expect((await inbound.closed).initiator).toBe('remote')
  })

  it('advertises its stanza size limit (XEP-0478) and enforces it with policy-violation', async () => {
    const peer = await rawPeer(listener.port)
    peer.write(HEADER('c.test', 'd.test'))
    expect(await peer.waitFor(/<\/stream:features>/)).toContain(
      '<limits xmlns="urn:xmpp:stream-limits:0"><max-bytes>4096</max-bytes></limits>',
    )
    peer.write(`<message to='${'a'.repeat(8000)}`)
    expect(await peer.waitFor(/<\/stream:stream>/)).toContain('<policy-violation')
  })

  it('closes a silent connection with connection-timeout when negotiation takes too long', async () => {
    const peer = await rawPeer(listener.port)
    const text = await peer.waitFor(/<\/stream:stream>/, 3000)
    expect(text).toContain('<connection-timeout')
    expect(text.indexOf('<stream:stream')).toBeLessThan(text.indexOf('<stream:error'))
  })
})

describe('outbound stream against hostile servers', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki()
  })

  /** A fake server that answers our header with `reply` and records every byte it receives. */
  async function fakeServer(reply: string) {
    let received = ''
    let connections = 0
    const server = createServer((socket: Socket) => {
      connections++
      socket.on('data', (d) => {
        const first = received === ''
        received += d.toString()
        if (first) socket.write(reply)
      })
      socket.on('error', () => {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return {
      port: (server.address() as AddressInfo).port,
      get received() {
        return received
      },
      get connections() {
        return connections
      },
      close: () => new Promise<void>((r) => server.close(() => r())),
    }
  }

  it('with TLS required, a stripped STARTTLS ends the connection with no XML after the header', async () => {
    const server = await fakeServer(
      `${HEADER('d.test', 'c.test', "version='1.0' id='x'")}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms></stream:features>`,
    )
    const attempt = connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: server.port,
    })
    await expect(attempt).rejects.toMatchObject({ name: 'NegotiationError', code: 'TLS_REQUIRED' })
    // Only our opening header crossed in clear: no auth, no stanza, not even a closing tag.
    expect(server.received).toMatch(/^<\?xml version='1.0'\?><stream:stream [^>]*>$/)
    await server.close()
  })

  it('does not follow see-other-host', async () => {
    const server = await fakeServer(
      `${HEADER('d.test', 'c.test', "version='1.0' id='x'")}<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>evil.test:5269</see-other-host></stream:error></stream:stream>`,
    )
    const error = await connectStream({
      context: contextFor(pki, 'c.test'),
      localDomain: 'c.test',
      remoteDomain: 'd.test',
      host: '127.0.0.1',
      port: server.port,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StreamError)
    expect(error).toMatchObject({ condition: 'see-other-host', origin: 'remote', text: 'evil.test:5269' })
    expect(server.connections).toBe(1)
    // We answered the peer's closing tag with ours.
    expect(server.received).toMatch(/<\/stream:stream>$/)
    await server.close()
  })
})

describe('established streams', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki()
  })

  it('refuses to serialize control characters and writes nothing', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const before = outbound.stats.bytesOut
    const bad = new Element('message', { from: 'a@c.test', to: 'b@d.test' }).c('body').t('bell \u0007').root()
    expect(() => outbound.sendStanza(bad)).toThrow(/U\+0007/)
    expect(outbound.stats.bytesOut).toBe(before)
    await pair.close()
  })

  it('sends whitespace keepalives on an idle stream', async () => {
    const pair = await connectedPair(pki, { client: { timeouts: { keepaliveMs: 50 } } })
    await pair.outbound
    const inbound = await pair.listener.nextSession()
    const before = inbound.stats.bytesIn
    await new Promise((r) => setTimeout(r, 250))
    expect(inbound.stats.bytesIn - before).toBeGreaterThanOrEqual(2)
    expect(inbound.phase).toBe('established')
    await pair.close()
  })
})
