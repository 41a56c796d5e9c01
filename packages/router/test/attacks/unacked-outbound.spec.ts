import type { Element } from 'ltx'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { heapAfterGcMiB, until } from '../../../stream/test/attacks/measure.js'
import { type BounceEvent, type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { ATTACK_HOST } from './hostile.js'
import { type Misbehaviour, type ScriptedServer, startScriptedServer } from './scripted-server.js'

// Our own outbound streams to servers that take stanzas and never acknowledge them (XEP-0198).
// Before: the unacknowledged list grew without bound (154 MiB in the review), the idle sweeper
// kept the stream because it held unacknowledged stanzas, a dropped stream was redialled at once,
// and each resend renewed the stanza's TTL (69 copies of one stanza in 10 s).
const QUEUE = 100
const UNACKED = 200
const TTL_MS = 1500

let pki: TestPki
const servers: ScriptedServer[] = []
const federations: Federation[] = []

beforeAll(async () => {
  pki = await createTestPki()
})
afterAll(async () => {
  for (const federation of federations) await federation.stop()
  for (const server of servers) await server.close()
})

async function setup(behaviour: Misbehaviour, streams: object = {}) {
  const domain = `${behaviour}.test`
  const server = await startScriptedServer({
    domain,
    cert: await pki.ca.issue({ dnsNames: [domain] }),
    behaviour,
  })
  servers.push(server)
  const c = await startFederation({
    config: await configFor(pki, 'c.test', {
      routes: { [domain]: [{ host: ATTACK_HOST, port: server.port }] },
      policy: { peerRules: [] },
      queue: { maxStanzas: QUEUE, ttlMs: TTL_MS },
      streams: { maxUnackedStanzas: UNACKED, ...streams },
    }),
    backoff: { initialMs: 250, maxMs: 4000 },
  })
  federations.push(c)
  const bounces: BounceEvent[] = []
  const errors: Element[] = []
  c.on('bounce', (b) => {
    bounces.push(b)
    if (b.returned) errors.push(b.returned)
  })
  const message = (i: number) =>
    xml(
      'message',
      { from: 'bot@c.test', to: `eve@${domain}`, id: `m${i}` },
      xml('body', {}, 'y'.repeat(1000)),
    )
  return { c, server, bounces, errors, message }
}

it('3,000 stanzas to a server that never acks: held up to the limits, every one accounted for', async ({
  task,
}) => {
  const SENT = 3000
  const heapBefore = await heapAfterGcMiB()
  const { c, server, bounces, errors, message } = await setup('never-acks', { ackTimeoutMs: 500 })
  // The first one opens the stream; the rest go straight onto it, past the unacknowledged limit.
  await c.send(message(0))
  const results = await Promise.allSettled(Array.from({ length: SENT - 1 }, (_, i) => c.send(message(i + 1))))
  const written = 1 + results.filter((r) => r.status === 'fulfilled').length
  // Peak while the stanzas are in flight: our side holds at most UNACKED of them per stream.
  const heapGrowth = (await heapAfterGcMiB()) - heapBefore
  // Everything written ends as a bounce once its first TTL runs out: none is kept for ever.
  expect(await until(() => bounces.length === SENT, TTL_MS * 4)).toBe(true)
  const conditions = new Set(bounces.map((b) => b.condition))
  expect([...conditions].every((x) => x === 'resource-constraint' || x === 'remote-server-timeout')).toBe(
    true,
  )
  expect(errors.length).toBe(SENT)
  expect(c.status().domains.every((d) => d.queued === 0)).toBe(true)
  expect(heapGrowth).toBeLessThan(16)
  report(task, {
    outcome: `${written} written, ${server.stanzas} received unacked, ${bounces.length} bounced to their senders; heap +${heapGrowth.toFixed(1)} MiB`,
    counts: {
      sent: SENT,
      written,
      receivedByPeer: server.stanzas,
      connections: server.connections,
      bounced: bounces.length,
      heapGrowthMiB: Number(heapGrowth.toFixed(1)),
    },
  })
})

it('an ack request left unanswered closes the stream; its stanzas keep their first TTL', async ({ task }) => {
  const { c, server, bounces, message } = await setup('never-acks', { ackTimeoutMs: 300 })
  const started = Date.now()
  await c.send(message(1))
  expect(await until(() => bounces.length === 1, TTL_MS * 3)).toBe(true)
  const bouncedAfter = Date.now() - started
  expect(bounces[0]!.condition).toBe('remote-server-timeout')
  // Resent on the next stream, but never past the TTL it was given when it was sent: it
  // bounces once the stream holding it has closed (ack timeout, then at most the 2 s closing
  // handshake the silent server never answers), not after a TTL renewed by each resend.
  expect(bouncedAfter).toBeLessThan(TTL_MS + 2000 + 500)
  expect(server.connections).toBeGreaterThan(1)
  expect(server.stanzas).toBeLessThanOrEqual(3)
  report(task, {
    outcome: `closed after the ack timeout, redialled ${server.connections - 1}x, bounced ${bouncedAfter} ms after send (TTL ${TTL_MS})`,
    counts: { connections: server.connections, copies: server.stanzas, bouncedAfterMs: bouncedAfter },
  })
})

it('a server that drops every stream after one stanza is redialled with a growing, randomised delay', async ({
  task,
}) => {
  const { c, server, bounces, message } = await setup('drops-after-receipt')
  await c.send(message(1))
  expect(await until(() => bounces.length === 1, TTL_MS * 3)).toBe(true)
  const copies = server.ids.filter((id) => id === 'm1').length
  // Backoff 250 ms doubling (each between half and all of it) within a 1.5 s TTL: at most 5 copies.
  expect(copies).toBeGreaterThanOrEqual(2)
  expect(copies).toBeLessThanOrEqual(5)
  expect(bounces[0]!.condition).toBe('remote-server-timeout')
  report(task, {
    outcome: `${copies} copies of one stanza before its TTL (${TTL_MS} ms) ran out, then one bounce`,
    counts: { copies, connections: server.connections, ttlMs: TTL_MS },
  })
})

it('a server that stops reading: our output to it stays capped, the rest waits or bounces, none is lost', async ({
  task,
}) => {
  const MAX_BUFFERED = 512 * 1024
  const { c, server, bounces, message } = await setup('never-reads', {
    maxBufferedBytes: MAX_BUFFERED,
    maxUnackedStanzas: 100_000,
    maxUnackedBytes: 256 * 1024 * 1024,
    ackTimeoutMs: 1000,
  })
  const closed: string[] = []
  c.on('session', (e) => e.state === 'closed' && closed.push(e.error?.message ?? ''))
  await c.send(message(0))
  // 40 MB offered, far beyond what the kernel's socket buffers absorb on loopback.
  const SENT = 40_000
  const results = await Promise.allSettled(Array.from({ length: SENT }, (_, i) => c.send(message(i + 1))))
  const refusedAtOnce = results.filter((r) => r.status === 'rejected').length
  // The link writes while the socket keeps up, queues behind it (bounded), refuses the rest.
  expect(refusedAtOnce).toBeGreaterThan(SENT / 2)
  expect(
    bounces.every((b) => b.condition === 'resource-constraint' || b.condition === 'remote-server-timeout'),
  ).toBe(true)
  // The unanswered ack request ends the stream; what it held bounces at its first TTL.
  expect(await until(() => closed.length > 0, 5000)).toBe(true)
  expect(await until(() => bounces.length === SENT + 1, TTL_MS * 4)).toBe(true)
  report(task, {
    outcome: `${SENT + 1} offered: ${refusedAtOnce} refused at once (queue full behind the unread socket), all ${bounces.length} bounced in the end, none lost; stream closed: ${closed[0]}`,
    counts: { offered: SENT + 1, refusedAtOnce, bounced: bounces.length, connections: server.connections },
  })
})
