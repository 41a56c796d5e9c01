import type { InboundSession, OutboundSession } from '@xmpp-federation/stream'
import { Element } from 'ltx'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DialbackError, requestPair } from '../src/index.js'
import { authenticatedSessions, type Routes, startNode, type TestNode } from './fixtures.js'

// XEP-0220 §2.6: one stream from the server of c.test and rooms.c.test to the server of
// d.test and chat.d.test carries several verified domain pairs, and only those.
const nodes: TestNode[] = []
let routes: Routes
let c: TestNode
let d: TestNode
let outbound: OutboundSession
let inbound: InboundSession

beforeEach(async () => {
  routes = new Map()
  c = await startNode({ domains: ['c.test', 'rooms.c.test'], routes })
  d = await startNode({ domains: ['d.test', 'chat.d.test'], routes })
  nodes.push(c, d)
  outbound = await c.connect('c.test', 'd.test')
  inbound = authenticatedSessions(d)[0]!
})
afterEach(async () => {
  await outbound.close()
  await Promise.all(nodes.splice(0).map((node) => node.close()))
})

const message = (from: string, to: string) =>
  new Element('message', { from, to, type: 'chat' }).c('body').t(`${from} -> ${to}`).root()

function nextStanza(session: InboundSession): Promise<Element> {
  return new Promise((resolve) => session.once('stanza', resolve))
}

describe('piggybacking (multiplexing)', () => {
  it('adds a sender domain and a target domain to the established stream', async () => {
    await requestPair(outbound, 'rooms.c.test') // sender multiplexing (§2.6.1)
    await outbound.requestPair('c.test', 'chat.d.test') // target multiplexing (§2.6.2)
    const pairs = [
      { local: 'c.test', remote: 'd.test', mechanism: 'dialback' },
      { local: 'rooms.c.test', remote: 'd.test', mechanism: 'dialback' },
      { local: 'c.test', remote: 'chat.d.test', mechanism: 'dialback' },
    ]
    expect(outbound.authenticatedPairs).toEqual(pairs)
    expect(inbound.authenticatedPairs).toEqual(
      pairs.map(({ local, remote, mechanism }) => ({ local: remote, remote: local, mechanism })),
    )
    // Each new sender domain was verified with its authoritative server.
    expect(d.verifications.map((v) => v.remote)).toEqual(['c.test', 'rooms.c.test', 'c.test'])
    expect(d.sessions.filter((s) => s.authenticatedPairs.length > 0)).toHaveLength(1)

    for (const [from, to] of [
      ['muc@rooms.c.test/nick', 'alice@d.test'],
      ['bot@c.test', 'room@chat.d.test'],
    ] as const) {
      const delivered = nextStanza(inbound)
      outbound.sendStanza(message(from, to))
      expect((await delivered).attrs.from).toBe(from)
    }
  })

  it('asking twice for one pair makes one request; an authorised pair resolves at once', async () => {
    const results = await Promise.all([
      requestPair(outbound, 'rooms.c.test'),
      requestPair(outbound, 'rooms.c.test'),
    ])
    expect(results).toEqual([undefined, undefined])
    await requestPair(outbound, 'c.test')
    expect(d.verifications.map((v) => v.remote)).toEqual(['c.test', 'rooms.c.test'])
  })

  it('a pair that was never authorised cannot send: refused by sendStanza, and by the receiving side', async () => {
    await requestPair(outbound, 'rooms.c.test')
    // rooms.c.test -> chat.d.test was never asked for.
    expect(() => outbound.sendStanza(message('muc@rooms.c.test', 'x@chat.d.test'))).toThrow(
      expect.objectContaining({ name: 'StreamError', condition: 'invalid-from' }),
    )
    // Written anyway, around the check: the receiving server closes the stream.
    outbound.send(message('muc@rooms.c.test', 'x@chat.d.test'))
    const closed = await inbound.closed
    expect(closed.error).toMatchObject({ condition: 'invalid-from' })
    expect((await outbound.closed).error).toMatchObject({ condition: 'invalid-from', origin: 'remote' })
    expect(inbound.stats.stanzasIn).toBe(0)
  })

  it('a refused extra pair gets <forbidden/> and leaves the verified ones working (§2.1.2)', async () => {
    // rooms.c.test now resolves to a server with another secret: its verify says invalid.
    nodes.push(await startNode({ domains: ['rooms.c.test'], routes, dialback: { secret: 'not ours' } }))
    const attempt = requestPair(outbound, 'rooms.c.test')
    await expect(attempt).rejects.toBeInstanceOf(DialbackError)
    await expect(attempt).rejects.toMatchObject({ condition: 'forbidden' })
    expect(outbound.isAuthenticated('rooms.c.test', 'd.test')).toBe(false)
    const delivered = nextStanza(inbound)
    outbound.sendStanza(message('bot@c.test', 'alice@d.test'))
    expect((await delivered).attrs.to).toBe('alice@d.test')
  })

  it('refuses requests it cannot make', async () => {
    await expect(requestPair(outbound, 'e.test')).rejects.toThrow(/e\.test is not one of our domains/)
    await expect(outbound.requestPair('c.test', 'not a domain')).rejects.toThrow(TypeError)
    // A target d.test's server does not host: a dialback error, and the stream lives on.
    await expect(outbound.requestPair('c.test', 'x.test')).rejects.toMatchObject({
      condition: 'item-not-found',
    })
    expect(outbound.phase).toBe('established')
  })
})
