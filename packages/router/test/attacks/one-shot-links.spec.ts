import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { heapAfterGcMiB, until } from '../../../stream/test/attacks/measure.js'
import { type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation } from '../fixtures.js'
import { ATTACK_HOST } from './hostile.js'

// Every domain we ever wrote to kept its outbound link (queue, backoff state, status row): about
// 19 KiB each, for ever. A peer's users can make us write to any number of domains (answers,
// bounces). Now a link with no stream, nothing queued and no backoff left is forgotten.
const DOMAINS = 500
const IDLE_MS = 200

let c: Federation
let refusing: Server

beforeAll(async () => {
  // A port that accepts and closes at once: every domain below fails fast, as unreachable ones do.
  refusing = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => refusing.listen(0, ATTACK_HOST, resolve))
  const port = (refusing.address() as { port: number }).port
  const pki = await createTestPki()
  const routes = Object.fromEntries(
    Array.from({ length: DOMAINS }, (_, i) => [`once${i}.test`, [{ host: ATTACK_HOST, port }]]),
  )
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      routes,
      policy: { peerRules: [] },
      timeouts: { idleMs: IDLE_MS },
    }),
    backoff: { initialMs: 1000, maxMs: 1000 },
  })
})
afterAll(async () => {
  await c?.stop()
  await new Promise((resolve) => refusing?.close(resolve))
})

it(`${DOMAINS} domains written to once: their links are freed once nothing is left to do`, async ({
  task,
}) => {
  const heapBefore = await heapAfterGcMiB()
  const sends = Array.from({ length: DOMAINS }, (_, i) =>
    c.send(xml('message', { from: 'bot@c.test', to: `eve@once${i}.test` }, xml('body', {}, 'hi'))),
  )
  const settled = await Promise.allSettled(sends)
  expect(settled.every((r) => r.status === 'rejected')).toBe(true)
  const peak = c.status().domains.length
  const heapPeak = (await heapAfterGcMiB()) - heapBefore
  expect(peak).toBe(DOMAINS)
  // Backoff (500-1000 ms) over, then the next sweep (every IDLE_MS / 2) forgets them.
  expect(await until(() => c.status().domains.length === 0, 5000)).toBe(true)
  // Reported, not asserted: a refused link holds ~3 KiB, under the noise of a whole-heap reading.
  const heapAfter = (await heapAfterGcMiB()) - heapBefore
  // The domain can still be written to: a new link is made on demand.
  await expect(
    c.send(xml('message', { from: 'bot@c.test', to: 'eve@once1.test' }, xml('body', {}, 'again'))),
  ).rejects.toMatchObject({ condition: 'remote-server-not-found' })
  report(task, {
    outcome: `${peak} links at the peak, 0 after the sweep; heap +${heapPeak.toFixed(1)} MiB at the peak, +${heapAfter.toFixed(1)} MiB after`,
    counts: {
      domains: DOMAINS,
      linksAtPeak: peak,
      heapPeakMiB: Number(heapPeak.toFixed(1)),
      heapAfterMiB: Number(heapAfter.toFixed(1)),
    },
  })
})
