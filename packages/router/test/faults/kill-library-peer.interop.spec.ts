import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { countsOf, Ledger } from './ledger.js'
import { type PeerChild, startPeerChild } from './peer-child.js'

// A second instance of our library (d.test, its own process) is SIGKILLed while stanzas flow,
// then started again. Every send() settles; what the dead process had handled, lost, or
// handled without acknowledging (resent: a duplicate) is counted.
const C = { host: '127.0.0.82', port: 25501 }
const D = { host: '127.0.0.83', port: 25502 }
const TOTAL = 600

let pki: TestPki
let c: Federation
let peer: PeerChild | undefined

beforeAll(async () => {
  pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C], routes: { 'd.test': [D] } }),
    backoff: { initialMs: 20, maxMs: 200 },
  })
})
afterAll(async () => {
  await c?.stop()
  peer?.kill('SIGTERM')
  await peer?.exited
})

it(`${TOTAL} stanzas, the peer process killed at 1/3 and restarted at 2/3: all accounted for`, async ({
  task,
}) => {
  const ledger = new Ledger(c)
  c.on('stanza', (s) => ledger.returnedError(s))
  const dConfig = await configFor(pki, 'd.test', {
    listen: [D],
    routes: { 'c.test': [C] },
    policy: { limits: { stanzasPerSecond: 100_000, burst: 100_000 } },
  })
  const deliver = (id: string) => ledger.deliver(id)
  peer = await startPeerChild(dConfig, deliver)
  for (let i = 0; i < TOTAL; i++) {
    ledger.send(
      xml(
        'message',
        { from: 'bot@c.test', to: 'eve@d.test', id: `k${i}`, type: 'chat' },
        xml('body', {}, `n${i}`),
      ),
    )
    if (i === TOTAL / 3) peer.kill('SIGKILL')
    if (i === (2 * TOTAL) / 3) {
      await peer.exited
      peer = await startPeerChild(dConfig, deliver)
    }
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const a = await ledger.settle(20_000, 1500)
  console.log('[faults] kill-library-peer', JSON.stringify(a))
  expect(a.unaccounted).toBe(0)
  expect(a.bounceMismatches).toBe(0)
  expect(a.delivered + a.bounced + a.writtenUnconfirmed).toBe(TOTAL)
  expect(a.delivered).toBeGreaterThan(TOTAL / 3)
  expect(a.bounced).toBeGreaterThan(0)
  expect(a.duplicates).toBeLessThanOrEqual(a.resent)
  report(task, { outcome: 'SIGKILL at 1/3, restart at 2/3', counts: countsOf(a) })
}, 60_000)
