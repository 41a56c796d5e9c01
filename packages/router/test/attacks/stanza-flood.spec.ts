import type { Element } from 'ltx'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { type BounceEvent, type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation } from '../fixtures.js'
import { ATTACK_HOST } from './hostile.js'

// A peer floods us with stanzas: the policy's token bucket (checkRate, per remote domain) lets a
// burst through, then the sustained rate; everything above is bounced with resource-constraint
// (type wait), back to its sender, never silently dropped.
const C = { host: ATTACK_HOST, port: 25331 }
const D = { host: ATTACK_HOST, port: 25332 }
const FLOOD = 300
const RATE = 20
const BURST = 50

let c: Federation
let d: Federation

beforeAll(async () => {
  const pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C], routes: { 'd.test': [D] } }),
  })
  d = await startFederation({
    config: await configFor(pki, 'd.test', {
      listen: [D],
      routes: { 'c.test': [C] },
      policy: { limits: { stanzasPerSecond: RATE, burst: BURST } },
    }),
  })
})
afterAll(async () => {
  await c?.stop()
  await d?.stop()
})

it(`${FLOOD} stanzas at once: ${BURST} plus the sustained rate delivered, the rest bounced with resource-constraint`, async ({
  task,
}) => {
  const delivered: Element[] = []
  const bouncedAtD: BounceEvent[] = []
  const errorsAtC: Element[] = []
  d.on('stanza', (s) => delivered.push(s))
  d.on('bounce', (b) => bouncedAtD.push(b))
  c.on('stanza', (s) => {
    if (s.attrs.type === 'error') errorsAtC.push(s)
  })
  const started = Date.now()
  const sends = Array.from({ length: FLOOD }, (_, i) =>
    c.send(
      xml('message', { from: 'bot@c.test', to: 'eve@d.test', id: `f${i}` }, xml('body', {}, `flood ${i}`)),
    ),
  )
  await Promise.all(sends)
  for (let waited = 0; delivered.length + errorsAtC.length < FLOOD && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const elapsedS = (Date.now() - started) / 1000
  // The burst is shared with the few iq the two servers exchange first (XEP-0092 version check).
  expect(delivered.length).toBeGreaterThanOrEqual(BURST - 2)
  expect(delivered.length).toBeLessThanOrEqual(BURST + Math.ceil(RATE * elapsedS) + 1)
  expect(bouncedAtD.length).toBe(FLOOD - delivered.length)
  expect(new Set(bouncedAtD.map((b) => `${b.direction} ${b.condition}`))).toEqual(
    new Set(['inbound resource-constraint']),
  )
  // Each bounce went back to its sender as an error stanza, type wait: nothing vanished.
  expect(errorsAtC.length).toBe(bouncedAtD.length)
  expect(errorsAtC.every((e) => e.getChild('error')?.attrs.type === 'wait')).toBe(true)
  const ids = new Set([...delivered, ...errorsAtC].map((s) => s.attrs.id))
  expect(ids.size).toBe(FLOOD)
  report(task, {
    outcome: `${delivered.length} delivered, ${bouncedAtD.length} bounced (resource-constraint), 0 lost`,
    counts: {
      sent: FLOOD,
      delivered: delivered.length,
      bounced: bouncedAtD.length,
      errorsReturned: errorsAtC.length,
    },
  })
})
