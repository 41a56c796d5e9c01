import type { IssuedCertificate, TestCA } from '@xmpp-federation/testing'
import { Element } from 'ltx'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dialback, dialbackKey } from '../src/index.js'
import {
  authenticatedSessions,
  createTestCA,
  header,
  type Routes,
  rawPeer,
  startNode,
  streamIdIn,
  type TestNode,
} from './fixtures.js'

// Library to library on 127.0.0.1: c.test originates, d.test receives and asks c.test back.
const nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()))
})
async function node(options: Parameters<typeof startNode>[0]) {
  const started = await startNode(options)
  nodes.push(started)
  return started
}

function chat(from: string, to: string, body: string): Element {
  return new Element('message', { from, to, type: 'chat' }).c('body').t(body).root()
}

/** c.test connects to d.test; resolves once a stanza went through. */
async function federate(c: TestNode, d: TestNode) {
  const outbound = await c.connect('c.test', 'd.test')
  const inbound = authenticatedSessions(d)[0]!
  const delivered = new Promise<Element>((resolve) => inbound.once('stanza', resolve))
  outbound.sendStanza(chat('bot@c.test', 'alice@d.test', 'hi'))
  expect((await delivered).getChildText('body')).toBe('hi')
  return { outbound, inbound }
}

let ca: TestCA
const certs: Record<string, IssuedCertificate> = {}
beforeAll(async () => {
  ca = await createTestCA()
  for (const domain of ['c.test', 'd.test']) {
    certs[domain] = await ca.issue({ dnsNames: [domain] })
    certs[`self:${domain}`] = await ca.issue({ dnsNames: [domain], commonName: domain, selfSigned: true })
  }
})

describe('the three roles without TLS', () => {
  it('originating, receiving and authoritative: the pair is verified over a stream back to c.test', async () => {
    const routes: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes })
    const d = await node({ domains: ['d.test'], routes })
    const { outbound, inbound } = await federate(c, d)

    expect(outbound.authenticatedPairs).toEqual([
      { local: 'c.test', remote: 'd.test', mechanism: 'dialback' },
    ])
    expect(inbound.authenticatedPairs).toEqual([{ local: 'd.test', remote: 'c.test', mechanism: 'dialback' }])
    expect(outbound.tls).toBeUndefined()
    // d.test (receiving) opened one verification stream to c.test (authoritative)...
    expect(d.verifications).toEqual([{ local: 'd.test', remote: 'c.test' }])
    // ...which c.test answered on an inbound stream that authenticated nothing, then closed.
    const verification = c.sessions.find((s) => s.remoteDomain === 'd.test')!
    expect(verification.authenticatedPairs).toEqual([])
    await verification.closed
    await outbound.close()
  })

  it('the authoritative server answers valid only for the stream id the key was made for', async () => {
    const c = await node({ domains: ['c.test'], routes: new Map() })
    const peer = await rawPeer(c.port)
    peer.write(header('d.test', 'c.test'))
    await peer.waitFor(/<\/stream:features>/)
    const key = dialbackKey('test-secret', 'd.test', 'c.test', 'stream-1')
    peer.write(`<db:verify from='d.test' to='c.test' id='stream-1'>${key}</db:verify>`)
    peer.write(`<db:verify from='d.test' to='c.test' id='stream-2'>${key}</db:verify>`)
    peer.write(`<db:verify from='d.test' to='c.test' id='stream-3'>0123abcd</db:verify>`)
    const text = await peer.waitFor(/id="stream-3"[^>]*type="\w+"/)
    expect(text).toContain(`<db:verify from="c.test" to="d.test" id="stream-1" type="valid"/>`)
    expect(text).toContain(`<db:verify from="c.test" to="d.test" id="stream-2" type="invalid"/>`)
    expect(text).toContain(`<db:verify from="c.test" to="d.test" id="stream-3" type="invalid"/>`)
    expect(c.logs.filter((l) => l.message.includes('did not make'))).toHaveLength(2)
    peer.destroy()
  })

  it('a verify for a domain the authoritative server does not host is a dialback error, not a stream error', async () => {
    const c = await node({ domains: ['c.test'], routes: new Map() })
    const peer = await rawPeer(c.port)
    peer.write(header('d.test', 'c.test'))
    await peer.waitFor(/<\/stream:features>/)
    peer.write(`<db:verify from='d.test' to='x.test' id='s1'>00</db:verify>`)
    peer.write(`<db:verify from='d.test' to='c.test' id='s2'>00</db:verify>`)
    const text = await peer.waitFor(/id="s2"/)
    expect(text).toMatch(
      /<db:verify from="x.test" to="d.test" id="s1" type="error"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/,
    )
    expect(text).toContain('id="s2" type="invalid"')
    peer.destroy()
  })
})

describe('the three roles over TLS', () => {
  it.each([
    ['required', 'TLSv1.3'],
    ['opportunistic', 'TLSv1.3'],
  ] as const)('TLS %s with self-signed certificates: dialback over TLS', async (tls) => {
    const routes: Routes = new Map()
    const security = { tls, requireValidCertificate: false }
    const c = await node({ domains: ['c.test'], routes, security, certificate: certs['self:c.test'], ca })
    const d = await node({ domains: ['d.test'], routes, security, certificate: certs['self:d.test'], ca })
    const { outbound, inbound } = await federate(c, d)
    expect(outbound.tls?.protocol).toBe('TLSv1.3')
    expect(inbound.tls?.peerCertificate?.validFor('c.test')).toBe(false)
    expect(inbound.authenticatedPairs[0]?.mechanism).toBe('dialback')
    expect(d.verifications).toHaveLength(1)
    const verification = c.sessions.find((s) => s.remoteDomain === 'd.test')!
    expect(verification.tls).toBeDefined()
    await outbound.close()
  })

  it('XEP-0344: a certificate valid for the originating domain settles it without asking c.test', async () => {
    const routes: Routes = new Map()
    const security = { tls: 'required' as const, requireValidCertificate: true }
    const c = await node({ domains: ['c.test'], routes, security, certificate: certs['c.test'], ca })
    const d = await node({ domains: ['d.test'], routes, security, certificate: certs['d.test'], ca })
    const { outbound, inbound } = await federate(c, d)
    expect(inbound.tls?.peerCertificate?.validFor('c.test')).toBe(true)
    expect(inbound.authenticatedPairs).toEqual([{ local: 'd.test', remote: 'c.test', mechanism: 'dialback' }])
    expect(d.verifications).toEqual([])
    expect(c.sessions).toEqual([])
    await outbound.close()
  })
})

describe('the secret', () => {
  it('shared by two nodes of c.test: the node that did not open the stream answers the verify', async () => {
    const routes: Routes = new Map()
    const c1 = await node({ domains: ['c.test'], routes, dialback: { secret: 'cluster-secret' } })
    const d = await node({ domains: ['d.test'], routes })
    // c.test now resolves to the second node: d.test's verification goes there.
    const c2 = await node({ domains: ['c.test'], routes, dialback: { secret: 'cluster-secret' } })
    const { outbound } = await federate(c1, d)
    expect(c1.sessions).toEqual([])
    expect(c2.sessions.map((s) => s.remoteDomain)).toEqual(['d.test'])
    await outbound.close()
  })

  it('another secret: the key is invalid, and the receiving server closes the stream', async () => {
    const routes: Routes = new Map()
    const c1 = await node({ domains: ['c.test'], routes, dialback: { secret: 'one' } })
    const d = await node({ domains: ['d.test'], routes })
    await node({ domains: ['c.test'], routes, dialback: { secret: 'two' } })
    const attempt = c1.connect('c.test', 'd.test')
    // type='invalid', then the stream error: whichever the outbound side reads first is the reason.
    await expect(attempt).rejects.toThrow(
      /invalid dialback key for c\.test|judged the dialback key of c\.test invalid/,
    )
    const inbound = await d.nextSession(false)
    expect((await inbound.closed).error).toMatchObject({ condition: 'not-authorized' })
  })

  it('without configuration: one random secret per process, and a warning', () => {
    const warnings: string[] = []
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_: object, message: string) => warnings.push(message),
    }
    dialback({ logger })
    dialback({ logger, secret: 'configured' })
    expect(warnings).toEqual([expect.stringMatching(/no dialback secret configured/)])
    expect(() => dialback({ secret: '' })).toThrow(/must not be empty/)
  })
})

describe('a raw originating peer', () => {
  it('gets type=valid for a correct key and may then send stanzas for the pair', async () => {
    const routes: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes })
    const d = await node({ domains: ['d.test'], routes })
    const peer = await rawPeer(d.port)
    peer.write(header('c.test', 'd.test'))
    const id = streamIdIn(await peer.waitFor(/<\/stream:features>/))
    expect(peer.received).toContain(`<dialback xmlns="urn:xmpp:features:dialback"><errors/></dialback>`)
    peer.write(
      `<db:result from='c.test' to='d.test'>${dialbackKey('test-secret', 'd.test', 'c.test', id)}</db:result>`,
    )
    await peer.waitFor(/<db:result from="d.test" to="c.test" type="valid"\/>/)
    const inbound = d.sessions[0]!
    const delivered = new Promise<Element>((resolve) => inbound.once('stanza', resolve))
    peer.write(`<message from='bot@c.test' to='alice@d.test'><body>raw</body></message>`)
    expect((await delivered).getChildText('body')).toBe('raw')
    expect(c.sessions).toHaveLength(1) // the verification stream
    peer.destroy()
  })
})
