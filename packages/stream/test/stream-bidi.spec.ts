import { Element } from 'ltx'
import { beforeAll, describe, expect, it } from 'vitest'
import { type AuthMechanism, type InboundSession, type StreamError, saslExternal } from '../src/index.js'
import { connectedPair, createPki, type Pki } from './fixtures.js'

const message = (from: string, to: string, id: string) =>
  new Element('message', { from, to, id }).c('body').t(id).root()

/** The inbound session of a pair, with a hook that runs the moment a pair authenticates on it. */
async function inboundOf(pair: Awaited<ReturnType<typeof connectedPair>>): Promise<InboundSession> {
  return pair.listener.nextSession()
}

describe('XEP-0288 bidirectional s2s streams', () => {
  let pki: Pki
  beforeAll(async () => {
    pki = await createPki(['c.test', 'd.test', 'x.test'])
  })

  it('carries stanzas back over the stream the peer opened, sent as soon as the pair authenticates', async () => {
    const back: Element[] = []
    const pair = await connectedPair(pki, {
      onSession: (session) => session.on('stanza', (stanza) => back.push(stanza)),
    })
    const inbound = await inboundOf(pair)
    // Written between SASL success and the peer's restart: it must wait for our new header.
    inbound.on('authenticated', () => inbound.sendStanza(message('bob@d.test', 'alice@c.test', 'early')))
    const outbound = await pair.outbound
    expect(outbound.bidi).toBe(true)
    expect(inbound.bidi).toBe(true)
    outbound.sendStanza(message('alice@c.test', 'bob@d.test', 'forth'))
    const forth = new Promise<Element>((resolve) => inbound.once('stanza', resolve))
    expect((await forth).attrs.id).toBe('forth')
    inbound.sendStanza(message('bob@d.test/phone', 'alice@c.test', 'back'))
    await expect.poll(() => back.map((s) => s.attrs.id)).toEqual(['early', 'back'])
    // XEP-0198 acknowledges both directions.
    await expect.poll(() => inbound.unacknowledged.length, { timeout: 3000 }).toBe(0)
    await expect.poll(() => outbound.unacknowledged.length, { timeout: 3000 }).toBe(0)
    expect(inbound.sm?.handled).toBe(1)
    expect(outbound.sm?.handled).toBe(1)
    await pair.close()
  })

  it('never lets the receiving side send for a pair that was not authenticated on the stream', async () => {
    const pair = await connectedPair(pki)
    const outbound = await pair.outbound
    const inbound = await inboundOf(pair)
    expect(outbound.bidi).toBe(true)
    expect(() => inbound.sendStanza(message('bob@x.test', 'alice@c.test', 'spoof'))).toThrow(
      /not authenticated for x\.test -> c\.test/,
    )
    // A peer that writes one anyway loses the stream with invalid-from.
    inbound.send(message('bob@x.test', 'alice@c.test', 'spoof'))
    const { error } = await outbound.closed
    expect((error as StreamError).condition).toBe('invalid-from')
    await pair.close()
  })

  it('takes stanzas back only from domains the peer certificate names, not from pairs piggybacked later', async () => {
    // As dialback piggybacking would: c.test -> x.test added on the stream to d.test's server.
    const piggyback: AuthMechanism = {
      name: 'dialback',
      addPair: async (stream, local, remote) => stream.authenticate(local, remote, 'dialback'),
    }
    const pair = await connectedPair(pki, { client: { auth: [saslExternal(), piggyback] } })
    const outbound = await pair.outbound
    const inbound = await inboundOf(pair)
    await outbound.requestPair('c.test', 'x.test')
    inbound.send(message('bob@x.test', 'alice@c.test', 'claims-x'))
    const { error } = await outbound.closed
    expect((error as StreamError).condition).toBe('invalid-from')
    expect((error as StreamError).message).toMatch(/does not name x\.test/)
    await pair.close()
  })

  it('closes an authenticated stream whose peer never restarts it, instead of holding our writes', async () => {
    const pair = await connectedPair(pki, { server: { timeouts: { negotiationMs: 300 } } })
    const inbound = await inboundOf(pair)
    inbound.on('authenticated', () => {
      // The peer's restart never reaches us: swallow what it sends from now on.
      ;(inbound as unknown as { stopReading(): void }).stopReading()
      inbound.sendStanza(message('bob@d.test', 'alice@c.test', 'waiting'))
    })
    const { error } = await inbound.closed
    expect((error as StreamError).condition).toBe('connection-timeout')
    // Never on the wire: the router resends it over the next stream.
    expect(inbound.unacknowledged.map((u) => u.stanza.attrs.id)).toEqual(['waiting'])
    await pair.close()
  })

  it('is not asked for when switched off, and then the receiving side cannot send back', async () => {
    const pair = await connectedPair(pki, { client: { bidi: false } })
    const outbound = await pair.outbound
    const inbound = await inboundOf(pair)
    expect(outbound.bidi).toBe(false)
    expect(inbound.bidi).toBe(false)
    expect(() => inbound.sendStanza(message('bob@d.test', 'alice@c.test', 'back'))).toThrow(
      /without XEP-0288/,
    )
    await pair.close()
  })

  it('is not offered when switched off on the receiving side', async () => {
    const pair = await connectedPair(pki, { server: { bidi: false } })
    const outbound = await pair.outbound
    expect(outbound.bidi).toBe(false)
    await pair.close()
  })

  it('is not asked of a peer whose certificate does not name its domain', async () => {
    // EXTERNAL still works (the peer checks our certificate), but what it would send back is unproven.
    const pair = await connectedPair(pki, {
      client: { security: { tls: 'required', requireValidCertificate: false } },
      server: { cert: pki.certs['x.test'] },
    })
    const outbound = await pair.outbound
    const inbound = await inboundOf(pair)
    expect(outbound.bidi).toBe(false)
    expect(inbound.bidi).toBe(false)
    await pair.close()
  })

  it('closes with policy-violation when a peer floods stanzas before authentication completes', async () => {
    const pair = await connectedPair(pki)
    const inbound = await inboundOf(pair)
    inbound.on('authenticated', () => {
      for (let i = 0; i < 150; i++) inbound.send(message('bob@d.test', 'alice@c.test', `f${i}`))
    })
    const error = (await pair.outbound.then(
      () => undefined,
      (e: StreamError) => e,
    )) as StreamError | undefined
    expect(error?.condition).toBe('policy-violation')
    await pair.close()
  })
})
