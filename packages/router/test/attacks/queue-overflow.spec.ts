import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { type BounceEvent, DeliveryError, type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation } from '../fixtures.js'
import { ATTACK_HOST } from './hostile.js'

// The queue in front of a connecting session is bounded in stanzas and bytes: past either limit,
// send() is refused at once with resource-constraint; what was queued bounces with
// remote-server-timeout when the peer never answers. Every promise settles, every bounce is an event.
// (federation.spec.ts covers the stanza limit with 3 stanzas; this one floods it.)
const STALL_PORT = 25341
const MAX_STANZAS = 50
const MAX_BYTES = 20_000

let c: Federation
let stall: Server

beforeAll(async () => {
  // Accepts TCP and never says a word (but reads, so it sees our FIN).
  stall = createServer((socket) => socket.on('error', () => {}).resume())
  await new Promise<void>((resolve) => stall.listen(STALL_PORT, ATTACK_HOST, resolve))
  const pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', {
      routes: { 'stall.test': [{ host: ATTACK_HOST, port: STALL_PORT }] },
      queue: { maxStanzas: MAX_STANZAS, maxBytes: MAX_BYTES, ttlMs: 10_000 },
      timeouts: { negotiationMs: 800 },
    }),
  })
})
afterAll(async () => {
  await c?.stop()
  await new Promise((resolve) => stall?.close(resolve))
})

async function flood(count: number, body: string) {
  const bounces: BounceEvent[] = []
  const onBounce = (b: BounceEvent) => bounces.push(b)
  c.on('bounce', onBounce)
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      c.send(xml('message', { from: 'a@c.test', to: 'x@stall.test', id: `q${i}` }, xml('body', {}, body))),
    ),
  )
  c.off('bounce', onBounce)
  const conditions = new Map<string, number>()
  for (const r of results) {
    expect(r.status).toBe('rejected')
    const reason = (r as PromiseRejectedResult).reason as DeliveryError
    expect(reason).toBeInstanceOf(DeliveryError)
    conditions.set(reason.condition, (conditions.get(reason.condition) ?? 0) + 1)
  }
  expect(bounces).toHaveLength(count)
  return conditions
}

it(`1000 stanzas to a stalled peer: ${MAX_STANZAS} queued, the rest refused with resource-constraint`, async ({
  task,
}) => {
  const conditions = await flood(1000, 'x')
  expect(conditions.get('resource-constraint')).toBe(1000 - MAX_STANZAS)
  expect(conditions.get('remote-server-timeout')).toBe(MAX_STANZAS)
  report(task, {
    outcome: `${MAX_STANZAS} queued then remote-server-timeout, ${1000 - MAX_STANZAS} resource-constraint, 0 unsettled`,
    counts: { sent: 1000, queued: MAX_STANZAS, refused: 1000 - MAX_STANZAS, unsettled: 0 },
  })
})

it(`large stanzas: the ${MAX_BYTES}-byte limit binds before the stanza count`, async ({ task }) => {
  const body = 'y'.repeat(1000)
  const conditions = await flood(100, body)
  const queued = conditions.get('remote-server-timeout') ?? 0
  expect(queued).toBeGreaterThan(0)
  expect(queued).toBeLessThan(MAX_STANZAS)
  expect(queued * 1000).toBeLessThanOrEqual(MAX_BYTES)
  expect(conditions.get('resource-constraint')).toBe(100 - queued)
  report(task, {
    outcome: `${queued} queued (byte limit), ${100 - queued} resource-constraint`,
    counts: { sent: 100, queued },
  })
})
