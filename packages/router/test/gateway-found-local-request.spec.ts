import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Federation, xml } from '../src/index.js'
import { configFor, createTestPki, startFederation } from './fixtures.js'

// Found while building examples/gateway: request() to a local address never
// settles with the host's answer. send() delivers the request locally, the
// host answers with send(), and that answer is delivered locally too, but
// deliverLocally() never looks at pendingIq (only onInboundStanza does), so
// the caller waits for the timeout. Expected: the answer resolves the request.

let federation: Federation

beforeAll(async () => {
  federation = await startFederation({ config: await configFor(await createTestPki(), 'c.test') })
  // The host answers every iq get addressed to one of its users.
  federation.on('stanza', (stanza) => {
    if (stanza.name !== 'iq' || stanza.attrs.type !== 'get') return
    void federation.send(
      xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from }),
    )
  })
})

afterAll(async () => {
  await federation?.stop()
})

it('resolves request() to a local address with the answer the host sends', async () => {
  const iq = xml(
    'iq',
    { type: 'get', from: 'c.test', to: 'bot@c.test' },
    xml('ping', { xmlns: 'urn:xmpp:ping' }),
  )
  const answer = await federation.request(iq, 1_000)
  expect(answer.attrs).toMatchObject({ type: 'result', from: 'bot@c.test', to: 'c.test' })
})
