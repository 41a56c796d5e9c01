import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HostilePeer } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { until } from '../../../stream/test/attacks/measure.js'
import type { Federation } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { authenticatedHostile } from './authenticated-peer.js'
import { ATTACK_HOST } from './hostile.js'

// policy.domains.<d>.limits.maxStanzaBytes was documented and not enforced: only the global
// limit reached the stream. Now each peer's stanzas get its own domain's budget, and the
// XEP-0478 limit we advertise to it is that budget.
const C = { host: ATTACK_HOST, port: 25381 }
const SMALL = 16_384

let pki: TestPki
let c: Federation
const peers: HostilePeer[] = []
const delivered: string[] = []

beforeAll(async () => {
  pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      listen: [C],
      policy: { peerRules: [], domains: { 'd.test': { limits: { maxStanzaBytes: SMALL } } } },
    }),
    logger: false,
  })
  c.on('stanza', (s) => delivered.push(s.attrs.id ?? ''))
})
afterAll(async () => {
  for (const peer of peers) peer.socket.destroy()
  await c?.stop()
})

const stanza = (from: string, id: string, size: number) =>
  `<message from='eve@${from}' to='bob@c.test' id='${id}'><body>${'x'.repeat(size)}</body></message>`

async function peer(domain: string) {
  const hostile = await authenticatedHostile(
    C.port,
    await pki.ca.issue({ dnsNames: [domain] }),
    domain,
    'c.test',
    {
      sm: false,
    },
  )
  peers.push(hostile)
  return hostile
}

it(`d.test is held to its own ${SMALL}-byte limit; e.test keeps the global one`, async ({ task }) => {
  const d = await peer('d.test')
  const e = await peer('e.test')
  expect(d.secure().toString()).toContain(`<max-bytes>${SMALL}</max-bytes>`)
  expect(e.secure().toString()).toContain('<max-bytes>524288</max-bytes>')
  e.write(stanza('e.test', 'e-big', SMALL * 4))
  d.write(stanza('d.test', 'd-small', SMALL / 2))
  d.write(stanza('d.test', 'd-big', SMALL * 4))
  await until(() => d.secure().toString().includes('</stream:stream>'), 3000)
  await until(() => delivered.includes('e-big'), 3000)
  expect(d.secure().toString()).toContain('<policy-violation')
  expect(delivered).toContain('d-small')
  expect(delivered).not.toContain('d-big')
  expect(delivered).toContain('e-big')
  report(task, {
    outcome: `d.test cut at its ${SMALL}-byte limit with policy-violation; e.test's ${SMALL * 4}-byte stanza delivered`,
    counts: { domainLimit: SMALL, globalLimit: 524288 },
  })
})
