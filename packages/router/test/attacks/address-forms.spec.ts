import type { Element } from 'ltx'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HostilePeer } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { until } from '../../../stream/test/attacks/measure.js'
import type { Federation } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { authenticatedHostile } from './authenticated-peer.js'
import { ATTACK_HOST } from './hostile.js'

// Equivalent but non-canonical addresses reached the host as written: `eve@EVIL.TEST` was not
// `eve@evil.test` to a host comparing strings, and an iq ping to `C.TEST` missed the domain's own
// service. RFC 7622 §3.2: the host now sees the canonical form, whatever form the peer wrote.
const C = { host: ATTACK_HOST, port: 25361 }

let pki: TestPki
let c: Federation
let peer: HostilePeer
const delivered: Element[] = []

beforeAll(async () => {
  pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C], policy: { peerRules: [] } }),
  })
  c.on('stanza', (s) => delivered.push(s))
  peer = await authenticatedHostile(
    C.port,
    await pki.ca.issue({ dnsNames: ['d.test'] }),
    'd.test',
    'c.test',
    {
      bidi: true,
      sm: false,
    },
  )
})
afterAll(async () => {
  peer?.socket.destroy()
  await c?.stop()
})

// [form, from as written, to as written, from as the host must see it] (a resource keeps its case).
const FORMS: [string, string, string, string][] = [
  ['upper case', 'Eve@D.TEST/Phone', 'Bob@C.Test', 'eve@d.test/Phone'],
  ['final dot', 'eve@d.test./phone', 'bob@c.test.', 'eve@d.test/phone'],
  ['full-width', 'ｅｖｅ@ｄ.ｔｅｓｔ/phone', 'ｂｏｂ@ｃ.ｔｅｓｔ', 'eve@d.test/phone'],
  ['ideographic full stop', 'eve@d。test/phone', 'bob@c。test', 'eve@d.test/phone'],
]

it.each(FORMS)('%s: the host sees the canonical addresses', async (_form, from, to, canonical) => {
  const id = `form-${delivered.length}`
  peer.write(`<message from='${from}' to='${to}' id='${id}' type='chat'><body>hi</body></message>`)
  expect(await until(() => delivered.some((s) => s.attrs.id === id), 3000)).toBe(true)
  const stanza = delivered.find((s) => s.attrs.id === id)!
  expect(stanza.attrs.from).toBe(canonical)
  expect(stanza.attrs.to).toBe('bob@c.test')
})

it('an iq ping to C.TEST is answered by the domain itself', async ({ task }) => {
  const before = peer.secure().length
  peer.write(`<iq type='get' from='d.test' to='C.TEST' id='ping-upper'><ping xmlns='urn:xmpp:ping'/></iq>`)
  const answer = () => peer.secure().toString().slice(before)
  expect(
    await until(() => answer().includes("id='ping-upper'") || answer().includes('id="ping-upper"'), 3000),
  ).toBe(true)
  expect(answer()).toMatch(/<iq [^>]*type=["']result["']/)
  expect(delivered.some((s) => s.attrs.id === 'ping-upper')).toBe(false)
  report(task, {
    outcome: `${FORMS.length} address forms canonicalised; the ping to C.TEST answered as result`,
    counts: { forms: FORMS.length },
  })
})
