import { saslExternal } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { trustingDialback } from '../../../stream/fuzz/trusting-dialback.js'
import type { Federation } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { ATTACK_HOST, externalAuth, peerHeader, securedHostile } from './hostile.js'

// A domain our policy denies may still authenticate (a valid certificate, or
// dialback through its own authoritative server): the router then closes the
// stream with policy-violation. A half-open peer writes on regardless; none of
// it may reach the host.
const PORT = 25301

let pki: TestPki
let d: Federation
const delivered: Element[] = []
const messages = Array.from(
  { length: 20 },
  (_, i) => `<message from='m@c.test' to='eve@d.test' id='x${i}'><body>denied ${i}</body></message>`,
).join('')

beforeAll(async () => {
  pki = await createTestPki()
  d = await startFederation({
    config: await configFor(pki, 'd.test', {
      listen: [{ host: ATTACK_HOST, port: PORT }],
      policy: { mode: 'denylist', deny: ['c.test'] },
    }),
    // Dialback-shaped auth that always verifies: the domain's own authoritative server says yes.
    auth: [saslExternal(), trustingDialback()],
  })
  d.on('stanza', (stanza) => delivered.push(stanza))
})
afterAll(async () => {
  await d?.stop()
})

async function refusedThenPushes(authenticate: string, restart: boolean) {
  const cert = await pki.ca.issue({ dnsNames: ['c.test'] })
  const peer = await securedHostile(PORT, cert, 'c.test', 'd.test')
  peer.write(authenticate)
  expect(await peer.waitFor('<policy-violation')).toBe(true)
  peer.write((restart ? peerHeader('c.test', 'd.test') : '') + messages)
  expect(await peer.waitFor('</stream:stream>')).toBe(true)
  await new Promise((resolve) => setTimeout(resolve, 200))
  peer.end()
  await peer.closed
  expect(delivered).toEqual([])
}

it('SASL EXTERNAL: delivers nothing the denied peer sends after the refusal', async () => {
  await refusedThenPushes(externalAuth('c.test'), true)
})

it('dialback (no stream restart): delivers nothing the denied peer sends after the refusal', async () => {
  await refusedThenPushes("<db:result from='c.test' to='d.test'>key</db:result>", false)
})
