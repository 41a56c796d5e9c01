import type { IssuedCertificate } from '@xmpp-federation/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HostilePeer } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { until } from '../../../stream/test/attacks/measure.js'
import type { Federation } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { ATTACK_HOST, externalAuth, securedHostile } from './hostile.js'

// One wildcard certificate (*.wild.test) authenticates any number of names: a stream per name,
// each within the per-domain stream limit. Now one certificate holds at most
// streams.maxDomainsPerCertificate remote domains at once; the next is refused.
const C = { host: ATTACK_HOST, port: 25371 }
const LIMIT = 5
const TRIED = 12

let pki: TestPki
let c: Federation
const peers: HostilePeer[] = []

beforeAll(async () => {
  pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      listen: [C],
      policy: { peerRules: [] },
      streams: { maxDomainsPerCertificate: LIMIT },
    }),
  })
})
afterAll(async () => {
  for (const peer of peers) peer.socket.destroy()
  await c?.stop()
})

/** SASL EXTERNAL as `name`; the answer (success, or a stream error) is left for the test to read. */
async function authenticateAs(cert: IssuedCertificate, name: string): Promise<HostilePeer> {
  const peer = await securedHostile(C.port, cert, name, 'c.test')
  peer.write(externalAuth(name))
  await peer.waitFor('<success')
  return peer
}

it(`a wildcard certificate keeps at most ${LIMIT} domains authenticated; slots come back when streams close`, async ({
  task,
}) => {
  const wildcard = await pki.ca.issue({ dnsNames: ['*.wild.test'] })
  for (let i = 0; i < TRIED; i++) peers.push(await authenticateAs(wildcard, `n${i}.wild.test`))
  const refused = () => peers.filter((p) => p.text().includes('<policy-violation'))
  expect(await until(() => refused().length === TRIED - LIMIT, 3000)).toBe(true)
  expect(peers.slice(0, LIMIT).every((p) => !p.text().includes('<policy-violation'))).toBe(true)
  // A stream of the certificate closes: its domain's slot is free for another name.
  peers[0]!.end()
  await until(() => c.status().domains.filter((d) => d.direction === 'inbound').length < LIMIT, 3000)
  const late = await authenticateAs(wildcard, 'late.wild.test')
  peers.push(late)
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(late.text()).not.toContain('<policy-violation')
  report(task, {
    outcome: `${LIMIT} domains held, ${refused().length} refused with policy-violation; a slot came back after a close`,
    counts: { tried: TRIED, held: LIMIT, refused: refused().length },
  })
})
