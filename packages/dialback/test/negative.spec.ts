import type { AddressInfo } from 'node:net'
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createTestCA,
  header,
  type Routes,
  rawPeer,
  startNode,
  streamIdIn,
  type TestNode,
} from './fixtures.js'

const nodes: TestNode[] = []
const servers: Array<{ server: Server; sockets: Socket[] }> = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()))
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
})
async function node(options: Parameters<typeof startNode>[0]) {
  const started = await startNode(options)
  nodes.push(started)
  return started
}

/** A TCP server on 127.0.0.1 that runs `onSocket` for each connection (default: accept and stay silent). */
async function tcpServer(onSocket: (socket: Socket) => void = () => {}): Promise<number> {
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    onSocket(socket)
  })
  servers.push({ server, sockets })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** A receiving server's answering header, with its stream id. */
const answerHeader = (from: string, to: string, id: string) =>
  `<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' id='${id}' version='1.0'>`

describe('refusals on the receiving side', () => {
  it('a forged key gets type=invalid, then the stream is closed (XEP-0220 §2.2.1)', async () => {
    const routes: Routes = new Map()
    await node({ domains: ['c.test'], routes })
    const d = await node({ domains: ['d.test'], routes })
    const peer = await rawPeer(d.port)
    peer.write(header('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    peer.write(`<db:result from='c.test' to='d.test'>${'ab'.repeat(32)}</db:result>`)
    const text = await peer.waitFor(/<\/stream:stream>/)
    expect(text).toContain(`<db:result from="d.test" to="c.test" type="invalid"/>`)
    expect(text).toMatch(/<stream:error><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/)
    expect(d.sessions[0]!.authenticatedPairs).toEqual([])
  })

  it('a target it does not serve: <item-not-found/>, and the stream stays open (§2.2.1)', async () => {
    const d = await node({ domains: ['d.test'], routes: new Map() })
    const peer = await rawPeer(d.port)
    peer.write(header('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    peer.write(`<db:result from='c.test' to='x.test'>00</db:result>`)
    const text = await peer.waitFor(/type="error"/)
    expect(text).toContain(
      `<db:result from="x.test" to="c.test" type="error"><error type="cancel">` +
        `<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">x.test is not served here</text></error></db:result>`,
    )
    expect(d.sessions[0]!.phase).toBe('negotiating')
    peer.destroy()
  })

  it('a stanza before any pair is authenticated: stream error <not-authorized/>', async () => {
    const d = await node({ domains: ['d.test'], routes: new Map() })
    const peer = await rawPeer(d.port)
    peer.write(header('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    peer.write(`<message from='bot@c.test' to='alice@d.test'><body>too early</body></message>`)
    const text = await peer.waitFor(/<\/stream:stream>/)
    expect(text).toMatch(/<stream:error><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/)
    expect(d.sessions[0]!.stats.stanzasIn).toBe(0)
  })

  it('unsolicited verdicts change nothing (XEP-0220 §3.1): a stanza after them is still not authorised', async () => {
    const d = await node({ domains: ['d.test'], routes: new Map() })
    const peer = await rawPeer(d.port)
    peer.write(header('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    peer.write(`<db:result from='c.test' to='d.test' type='valid'/>`)
    peer.write(`<db:verify from='c.test' to='d.test' id='x' type='valid'/>`)
    peer.write(`<message from='bot@c.test' to='alice@d.test'/>`)
    expect(await peer.waitFor(/<\/stream:stream>/)).toMatch(
      /<not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/,
    )
    expect(peer.received).not.toContain('<db:')
    expect(d.logs.filter((l) => l.message === 'ignoring an unsolicited dialback element')).toHaveLength(2)
  })

  it('TLS required: a key sent in the clear is refused with <policy-violation/>', async () => {
    const ca = await createTestCA()
    const d = await node({
      domains: ['d.test'],
      routes: new Map(),
      security: { tls: 'required', requireValidCertificate: false },
      certificate: await ca.issue({ dnsNames: ['d.test'] }),
    })
    const peer = await rawPeer(d.port)
    peer.write(header('c.test', 'd.test'))
    await peer.waitFor(/<\/stream:features>/)
    expect(peer.received).not.toContain('urn:xmpp:features:dialback') // not offered before TLS
    peer.write(`<db:result from='c.test' to='d.test'>00</db:result>`)
    expect(await peer.waitFor(/<\/stream:stream>/)).toMatch(/<policy-violation /)
  })

  it('a valid certificate required and the peer has none that proves c.test: <not-authorized/>, nobody asked', async () => {
    const ca = await createTestCA()
    const routes: Routes = new Map()
    const c = await node({
      domains: ['c.test'],
      routes,
      security: { tls: 'required', requireValidCertificate: false },
      certificate: await ca.issue({ dnsNames: ['c.test'], selfSigned: true }),
      ca,
    })
    const d = await node({
      domains: ['d.test'],
      routes,
      security: { tls: 'required', requireValidCertificate: true },
      certificate: await ca.issue({ dnsNames: ['d.test'] }),
      ca,
    })
    const attempt = c.connect('c.test', 'd.test')
    await expect(attempt).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    await expect(attempt).rejects.toThrow(
      /dialback: not-authorized: d\.test answered .*valid certificate for c\.test/,
    )
    expect(d.verifications).toEqual([])
  })

  it('a host policy refuses the domain: its condition and reason reach the originating server', async () => {
    const routes: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes })
    const d = await node({
      domains: ['d.test'],
      routes,
      dialback: {
        allowed: (remote) => ({
          allowed: false,
          reason: `no federation with ${remote}`,
          condition: 'policy-violation',
        }),
      },
    })
    await expect(c.connect('c.test', 'd.test')).rejects.toThrow(
      /dialback: policy-violation: d\.test answered .*<policy-violation\/> \(no federation with c\.test\)/,
    )
    expect(d.verifications).toEqual([])
  })
})

describe('timeouts and unreachable servers', () => {
  it('a silent authoritative server fails the attempt with <remote-server-timeout/> within the configured time', async () => {
    const routesC: Routes = new Map()
    const routesD: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes: routesC })
    const d = await node({ domains: ['d.test'], routes: routesD, dialback: { timeoutMs: 500 } })
    routesC.set('d.test', d.port)
    routesD.set('c.test', await tcpServer()) // accepts, never says a word
    const started = Date.now()
    const attempt = c.connect('c.test', 'd.test')
    await expect(attempt).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    await expect(attempt).rejects.toThrow(
      /remote-server-timeout: d\.test answered .*no stream to the authoritative server of c\.test within 500 ms/,
    )
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(500)
    expect(elapsed).toBeLessThan(1500)
  })

  it('an authoritative server that accepts the stream and never answers the verify: <remote-server-timeout/>', async () => {
    const routesC: Routes = new Map()
    const routesD: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes: routesC })
    const d = await node({ domains: ['d.test'], routes: routesD, dialback: { timeoutMs: 500 } })
    routesC.set('d.test', d.port)
    // Speaks the stream header and features, then ignores the db:verify.
    routesD.set(
      'c.test',
      await tcpServer((socket) =>
        socket.once('data', () =>
          socket.write(`${answerHeader('c.test', 'd.test', 'x1')}<stream:features/>`),
        ),
      ),
    )
    await expect(c.connect('c.test', 'd.test')).rejects.toThrow(
      /remote-server-timeout: .*the authoritative server of c\.test did not answer within 500 ms/,
    )
  })

  it('an authoritative server that cannot be reached: <remote-server-not-found/>', async () => {
    const routesC: Routes = new Map()
    const routesD: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes: routesC })
    const d = await node({ domains: ['d.test'], routes: routesD })
    routesC.set('d.test', d.port)
    const closed = await tcpServer()
    const { server } = servers.pop()!
    await new Promise((resolve) => server.close(resolve)) // nothing listens there any more
    routesD.set('c.test', closed)
    await expect(c.connect('c.test', 'd.test')).rejects.toThrow(
      /remote-server-not-found: .*cannot reach the authoritative server of c\.test: connect to 127\.0\.0\.1:\d+ failed/,
    )
  })

  it('a receiving server that never gives its verdict: the originating side gives up after timeoutMs', async () => {
    const routes: Routes = new Map()
    const c = await node({ domains: ['c.test'], routes, dialback: { timeoutMs: 300 } })
    let key = ''
    routes.set(
      'd.test',
      await tcpServer((socket) => {
        socket.on('data', (chunk) => {
          const text = chunk.toString()
          if (text.includes('<stream:stream')) {
            socket.write(
              answerHeader('d.test', 'c.test', 's-9') +
                `<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>`,
            )
          }
          key ||= /<db:result[^>]*>([0-9a-f]+)</.exec(text)?.[1] ?? ''
        })
      }),
    )
    const started = Date.now()
    await expect(c.connect('c.test', 'd.test')).rejects.toThrow(
      /remote-server-timeout: d\.test gave no dialback result for c\.test within 300 ms/,
    )
    expect(Date.now() - started).toBeLessThan(1000)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('a raw peer reads the stream id it keys on', () => {
  it('each stream gets its own id', async () => {
    const d = await node({ domains: ['d.test'], routes: new Map() })
    const ids = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const peer = await rawPeer(d.port)
      peer.write(header('c.test', 'd.test'))
      ids.add(streamIdIn(await peer.waitFor(/<\/stream:features>/)))
      peer.destroy()
    }
    expect(ids.size).toBe(3)
  })
})
