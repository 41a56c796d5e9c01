import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DomainTotals, type Federation, xml } from '../src/index.js'
import { configFor, createTestPki, nextStanza, startFederation } from './fixtures.js'

// Idle streams close after 300 ms: the per-stream counters go with them, the totals must not.
const C = { host: '127.0.0.160', port: 15269 }
const D = { host: '127.0.0.161', port: 15269 }
let c: Federation
let d: Federation

beforeAll(async () => {
  const pki = await createTestPki()
  const timeouts = { idleMs: 300 }
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C], routes: { 'd.test': [D] }, timeouts }),
  })
  d = await startFederation({
    config: await configFor(pki, 'd.test', { listen: [D], routes: { 'c.test': [C] }, timeouts }),
  })
})
afterAll(async () => {
  await c?.stop()
  await d?.stop()
})

const totalsFor = (federation: Federation, remote: string): DomainTotals =>
  federation.status().totals?.find((row) => row.remote === remote) ?? { remote, stanzasIn: 0, stanzasOut: 0 }

async function message(from: Federation, fromAddress: string, to: Federation, toAddress: string, id: string) {
  const arrived = nextStanza(to, (s) => s.attrs.id === id)
  await from.send(xml('message', { from: fromAddress, to: toAddress, id }, xml('body', {}, id)))
  await arrived
}

it('keeps per-domain stanza totals that never go down when streams close', async () => {
  for (const id of ['t1', 't2', 't3']) await message(c, 'a@c.test', d, 'b@d.test', id)
  await message(d, 'b@d.test', c, 'a@c.test', 't4')
  const before = { sent: totalsFor(c, 'd.test'), received: totalsFor(d, 'c.test') }
  expect(before.sent.stanzasOut).toBeGreaterThanOrEqual(3)
  expect(before.received.stanzasIn).toBeGreaterThanOrEqual(3)
  expect(before.sent.stanzasIn).toBeGreaterThanOrEqual(1)

  // Sampled while the streams close: no sample may be lower than the one before it.
  const samples: DomainTotals[] = [before.sent]
  const sampler = setInterval(() => samples.push(totalsFor(c, 'd.test')), 10)
  try {
    await expect.poll(() => c.status().domains.length + d.status().domains.length, { timeout: 5000 }).toBe(0)
  } finally {
    clearInterval(sampler)
  }
  samples.push(totalsFor(c, 'd.test'))
  for (const [earlier, later] of samples.slice(0, -1).map((s, i) => [s, samples[i + 1]!] as const)) {
    expect(later.stanzasIn).toBeGreaterThanOrEqual(earlier.stanzasIn)
    expect(later.stanzasOut).toBeGreaterThanOrEqual(earlier.stanzasOut)
  }
  const closed = totalsFor(c, 'd.test')
  expect(closed.stanzasOut).toBeGreaterThanOrEqual(before.sent.stanzasOut)
  expect(totalsFor(d, 'c.test').stanzasIn).toBeGreaterThanOrEqual(before.received.stanzasIn)

  // A new stream adds to the totals instead of starting them again.
  await message(c, 'a@c.test', d, 'b@d.test', 't5')
  expect(totalsFor(c, 'd.test').stanzasOut).toBeGreaterThan(closed.stanzasOut)
})
