import type { DecisionEvent } from '@xmpp-federation/policy'
import { type CertScenario, startCertScenario, stopAllPeers, type XmppUser } from '@xmpp-federation/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFederation, type Federation, xml } from '../src/index.js'
import { nextStanza } from './fixtures.js'

// XEP-0288 with a real Prosody 0.12 (mod_s2s_bidi): one connection per domain pair, both ways.
const PROSODY_IP = '127.0.0.28'
const OUR = { host: '127.0.0.29', port: 5269 }

describe('XEP-0288 bidirectional streams with Prosody', () => {
  let scenario: CertScenario
  let alice: XmppUser
  let federation: Federation | undefined

  async function start(): Promise<Federation> {
    const files = await scenario.filesFor('c.test')
    federation = createFederation({
      config: {
        domains: ['c.test'],
        tls: { cert: files.cert, key: files.key, ca: [files.ca], systemCa: false },
        listen: [OUR],
        routes: { 'a.test': [{ host: PROSODY_IP }] },
      },
    })
    await federation.start()
    return federation
  }

  const inbound = (f: Federation) => f.status().domains.filter((s) => s.direction === 'inbound')
  const outbound = (f: Federation) => f.status().domains.find((s) => s.direction === 'outbound')

  beforeAll(async () => {
    scenario = await startCertScenario({
      domain: 'a.test',
      ip: PROSODY_IP,
      ours: { 'c.test': OUR.host },
      modules: ['version', 's2s_bidi'],
    })
    alice = await scenario.login('alice')
  })
  afterEach(async () => {
    await federation?.stop()
    federation = undefined
  })
  afterAll(async () => {
    await scenario?.cleanup()
    await stopAllPeers()
  })

  it('we dial: Prosody answers the version query and alice replies over our stream', async () => {
    const f = await start()
    const decisions: DecisionEvent[] = []
    f.on('decision', (d) => decisions.push(d))
    await f.send(
      xml(
        'message',
        { from: 'bot@c.test', to: 'alice@a.test', id: 'b1', type: 'chat' },
        xml('body', {}, 'hi'),
      ),
    )
    expect((await alice.nextStanza((s) => s.attrs.id === 'b1')).getChildText('body')).toBe('hi')
    const reply = nextStanza(f, (s) => s.attrs.id === 'b2')
    await alice.send(
      xml('message', { to: 'bot@c.test', id: 'b2', type: 'chat' }, xml('body', {}, 'hello bot')),
    )
    expect((await reply).getChildText('body')).toBe('hello bot')
    // The XEP-0092 answer came back on our own stream: Prosody never dialled us.
    expect(decisions).toContainEqual(
      expect.objectContaining({
        check: 'peer-software',
        decision: expect.objectContaining({ allowed: true }),
      }),
    )
    expect(inbound(f)).toEqual([])
    expect(outbound(f)).toMatchObject({ bidi: true, state: 'established', target: `${PROSODY_IP}:5269` })
  })

  it('Prosody dials: our reply to alice rides the stream Prosody opened', async () => {
    const f = await start()
    f.on('stanza', (s) => {
      if (s.attrs.id === 'p1')
        void f.send(
          xml(
            'message',
            { from: 'bot@c.test', to: s.attrs.from, id: 'p2', type: 'chat' },
            xml('body', {}, 'pong'),
          ),
        )
    })
    await alice.send(xml('message', { to: 'bot@c.test', id: 'p1', type: 'chat' }, xml('body', {}, 'ping')))
    expect((await alice.nextStanza((s) => s.attrs.id === 'p2', 15_000)).getChildText('body')).toBe('pong')
    expect(inbound(f)).toHaveLength(1)
    expect(inbound(f)[0]).toMatchObject({ bidi: true, remote: 'a.test' })
    expect(outbound(f)).toMatchObject({
      bidi: true,
      state: 'established',
      target: 'the stream the peer opened (XEP-0288)',
    })
  })
})
