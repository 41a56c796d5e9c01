import type { Element } from 'ltx'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type BounceEvent, type Federation, xml } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation } from './fixtures.js'

// What a host adds to its domains: iq handlers and disco#info features, and a user directory
// that lets the library answer for accounts that do not exist (RFC 6121 §8.5.2.1).
const C = { host: '127.0.0.88', port: 25401 }
const D = { host: '127.0.0.88', port: 25402 }
const NS_TIME = 'urn:xmpp:time'

let c: Federation
let d: Federation
const users = new Set(['alice@d.test'])
const lookups: string[] = []

beforeAll(async () => {
  const pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      listen: [C],
      routes: { 'd.test': [D] },
      policy: { peerRules: [] },
    }),
    logger: false,
  })
  d = await startFederation({
    config: await configFor(pki, 'd.test', {
      listen: [D],
      routes: { 'c.test': [C] },
      policy: { peerRules: [] },
    }),
    logger: false,
    users: {
      // Asynchronous, as a database would be.
      exists: async (bare) => {
        lookups.push(bare)
        await new Promise((resolve) => setTimeout(resolve, 5))
        return users.has(bare)
      },
    },
  })
  d.addIqHandler({
    namespace: NS_TIME,
    type: 'get',
    handler: (iq) =>
      xml(
        'iq',
        { type: 'result', id: iq.attrs.id, from: iq.attrs.to, to: iq.attrs.from },
        xml('time', { xmlns: NS_TIME }, xml('utc', {}, '2026-12-06T00:00:00Z')),
      ),
  })
  d.addFeature('urn:example:feature')
})
afterAll(async () => {
  await c?.stop()
  await d?.stop()
})

it('an iq handler answers for the domain, and disco#info lists its namespace and the added feature', async () => {
  const time = await c.request(
    xml('iq', { type: 'get', from: 'c.test', to: 'd.test' }, xml('time', { xmlns: NS_TIME })),
  )
  expect(time.attrs.type).toBe('result')
  expect(time.getChild('time', NS_TIME)?.getChildText('utc')).toBe('2026-12-06T00:00:00Z')
  const info = await c.request(
    xml(
      'iq',
      { type: 'get', from: 'c.test', to: 'd.test' },
      xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
    ),
  )
  const features = info
    .getChild('query')
    ?.getChildren('feature')
    .map((f) => f.attrs.var)
  expect(features).toEqual(expect.arrayContaining([NS_TIME, 'urn:example:feature', 'urn:xmpp:ping']))
})

it('a handler that throws: the requester gets internal-server-error, the host an error event', async () => {
  const errors: Error[] = []
  d.on('error', (e) => errors.push(e))
  const remove = d.addIqHandler({
    namespace: 'urn:example:broken',
    handler: () => {
      throw new Error('handler bug')
    },
  })
  const answer = await c.request(
    xml('iq', { type: 'get', from: 'c.test', to: 'd.test' }, xml('q', { xmlns: 'urn:example:broken' })),
  )
  expect(answer.attrs.type).toBe('error')
  expect(answer.getChild('error')?.getChild('internal-server-error')).toBeDefined()
  expect(errors.map((e) => e.message)).toEqual(['handler bug'])
  remove()
  const after = await c.request(
    xml('iq', { type: 'get', from: 'c.test', to: 'd.test' }, xml('q', { xmlns: 'urn:example:broken' })),
  )
  expect(after.getChild('error')?.getChild('service-unavailable')).toBeDefined()
})

it('a message to a user who does not exist comes back service-unavailable; one to a user who does, arrives', async () => {
  const bounces: BounceEvent[] = []
  d.on('bounce', (b) => bounces.push(b))
  const delivered = nextStanza(d, (s) => s.attrs.id === 'to-alice')
  const errorBack = nextStanza(c, (s) => s.attrs.id === 'to-nobody' && s.attrs.type === 'error')
  await c.send(
    xml('message', { from: 'bot@c.test', to: 'nobody@d.test', id: 'to-nobody' }, xml('body', {}, 'x')),
  )
  await c.send(
    xml('message', { from: 'bot@c.test', to: 'Alice@d.test/phone', id: 'to-alice' }, xml('body', {}, 'y')),
  )
  expect((await delivered).attrs.to).toBe('alice@d.test/phone')
  const error: Element = await errorBack
  expect(error.getChild('error')?.getChild('service-unavailable')).toBeDefined()
  expect(bounces.map((b) => [b.stanza.attrs.id, b.condition])).toEqual([['to-nobody', 'service-unavailable']])
  expect(lookups).toEqual(expect.arrayContaining(['nobody@d.test', 'alice@d.test']))
})

it('a subscription request to a user who does not exist is answered unsubscribed', async () => {
  const answer = nextStanza(c, (s) => s.name === 'presence' && s.attrs.from === 'ghost@d.test')
  await c.send(xml('presence', { from: 'bot@c.test', to: 'ghost@d.test', type: 'subscribe' }))
  expect((await answer).attrs.type).toBe('unsubscribed')
})
