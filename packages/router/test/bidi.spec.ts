import type { DecisionEvent } from '@xmpp-federation/policy'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Federation, type SessionEvent, xml } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation, type TestPki } from './fixtures.js'

// c.test and d.test, both listening, static routes to each other.
const C = { host: '127.0.0.26', port: 15269 }
const D = { host: '127.0.0.27', port: 15269 }

describe('XEP-0288: one connection carries both directions between two federations', () => {
  let pki: TestPki
  const running: Federation[] = []

  beforeAll(async () => {
    pki = await createTestPki()
  })
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => f.stop()))
  })

  async function pair(bidi: { c: boolean; d: boolean }) {
    const c = await startFederation({
      config: await configFor(pki, 'c.test', {
        listen: [C],
        routes: { 'd.test': [D] },
        streams: { bidi: bidi.c },
      }),
    })
    const d = await startFederation({
      config: await configFor(pki, 'd.test', {
        listen: [D],
        routes: { 'c.test': [C] },
        streams: { bidi: bidi.d },
      }),
    })
    running.push(c, d)
    return { c, d }
  }

  const inboundStreams = (f: Federation) => f.status().domains.filter((s) => s.direction === 'inbound')

  it('answers and replies over the stream the first sender opened, peer software check included', async () => {
    const { c, d } = await pair({ c: true, d: true })
    const decisions: DecisionEvent[] = []
    c.on('decision', (e) => decisions.push(e))
    const dSessions: SessionEvent[] = []
    d.on('session', (e) => dSessions.push(e))

    const atD = nextStanza(d, (s) => s.attrs.id === 'hello')
    await c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'hello' }, xml('body', {}, 'hi')))
    expect((await atD).getChildText('body')).toBe('hi')
    const atC = nextStanza(c, (s) => s.attrs.id === 'reply')
    await d.send(xml('message', { from: 'eve@d.test', to: 'bot@c.test', id: 'reply' }, xml('body', {}, 'yo')))
    expect((await atC).getChildText('body')).toBe('yo')

    // c checked d's software (XEP-0092) and d checked c's, each answer on the one connection.
    expect(decisions).toContainEqual(
      expect.objectContaining({
        check: 'peer-software',
        remote: 'd.test',
        decision: expect.objectContaining({ allowed: true }),
      }),
    )
    // Nobody dialled c: its listener holds no stream, and d's link rides c's stream.
    expect(inboundStreams(c)).toEqual([])
    const dOut = d.status().domains.find((s) => s.direction === 'outbound' && s.remote === 'c.test')
    expect(dOut).toMatchObject({
      state: 'established',
      bidi: true,
      target: 'the stream the peer opened (XEP-0288)',
    })
    expect(dSessions).toContainEqual(
      expect.objectContaining({ direction: 'outbound', remote: 'c.test', state: 'established', bidi: true }),
    )
    const cOut = c.status().domains.find((s) => s.direction === 'outbound' && s.remote === 'd.test')
    expect(cOut).toMatchObject({ bidi: true, stanzasIn: expect.any(Number) })
    expect(cOut!.stanzasIn).toBeGreaterThanOrEqual(2) // d's version query and the reply
  })

  it.each([
    { side: 'the first sender does not ask for', bidi: { c: false, d: true } },
    { side: 'the receiver does not offer', bidi: { c: true, d: false } },
  ])('dials a stream of its own when $side XEP-0288', async ({ bidi }) => {
    const { c, d } = await pair(bidi)
    const atD = nextStanza(d, (s) => s.attrs.id === 'hello')
    await c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'hello' }))
    await atD
    const atC = nextStanza(c, (s) => s.attrs.id === 'reply')
    await d.send(xml('message', { from: 'eve@d.test', to: 'bot@c.test', id: 'reply' }))
    await atC
    expect(inboundStreams(c)).toHaveLength(1)
    expect(d.status().domains.find((s) => s.direction === 'outbound')).toMatchObject({
      bidi: false,
      target: `${C.host}:${C.port}`,
    })
  })

  it('lets a node without a listener check peer software: the answer rides the bidirectional stream', async () => {
    const checked = async (bidi: boolean) => {
      const d = await startFederation({ config: await configFor(pki, 'd.test', { listen: [D] }) })
      const c = await startFederation({
        config: await configFor(pki, 'c.test', { routes: { 'd.test': [D] }, streams: { bidi } }),
      })
      running.push(c, d)
      const decisions: DecisionEvent[] = []
      c.on('decision', (e) => decisions.push(e))
      const atD = nextStanza(d, (s) => s.attrs.id === 'out-only')
      await c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'out-only' }))
      await atD
      await Promise.all(running.splice(0).map((f) => f.stop()))
      return decisions.some((e) => e.check === 'peer-software' && e.remote === 'd.test' && e.decision.allowed)
    }
    expect(await checked(true)).toBe(true)
    // Without XEP-0288 the answer could never reach a node nobody can dial: nobody is asked.
    expect(await checked(false)).toBe(false)
  })

  it('opens a stream of its own again once the shared one is gone', async () => {
    const { c, d } = await pair({ c: true, d: true })
    const atD = nextStanza(d, (s) => s.attrs.id === 'hello')
    await c.send(xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: 'hello' }))
    await atD
    const shared = d.status().domains.find((s) => s.direction === 'outbound')
    expect(shared?.bidi).toBe(true)
    // c goes away (its stream with it) and comes back without XEP-0288.
    await c.stop()
    running.splice(running.indexOf(c), 1)
    // (idle, or backing off if an unacknowledged stanza already tried to go out again)
    await expect
      .poll(() => d.status().domains.find((s) => s.direction === 'outbound')?.state)
      .not.toBe('established')
    const c2 = await startFederation({
      config: await configFor(pki, 'c.test', {
        listen: [C],
        routes: { 'd.test': [D] },
        streams: { bidi: false },
      }),
    })
    running.push(c2)
    const atC2 = nextStanza(c2, (s) => s.attrs.id === 'again')
    await d.send(xml('message', { from: 'eve@d.test', to: 'bot@c.test', id: 'again' }))
    await atC2
    expect(d.status().domains.find((s) => s.direction === 'outbound')).toMatchObject({
      bidi: false,
      target: `${C.host}:${C.port}`,
    })
  })
})
