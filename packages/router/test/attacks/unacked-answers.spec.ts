import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HostilePeer } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { heapAfterGcMiB, until } from '../../../stream/test/attacks/measure.js'
import { type Federation, MAX_ERROR_PAYLOAD } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { authenticatedHostile, SM_REQUEST } from './authenticated-peer.js'
import { ATTACK_HOST } from './hostile.js'

// A peer authenticated as its own domain enables XEP-0198 on a bidirectional stream, sends
// iq-gets we must refuse (each refusal used to copy the whole request back), reads our answers
// and never acknowledges one. Before: 300 x 200 KiB requests kept ~65 MiB of answers alive until
// the stream closed. Now an error carries at most MAX_ERROR_PAYLOAD characters of the payload,
// and the unacknowledged list has a count and a size limit past which the stream is closed.
const C = { host: ATTACK_HOST, port: 25341 }
const C_LIMITED = { host: ATTACK_HOST, port: 25342 }
const REQUESTS = 300
const PAYLOAD = 'x'.repeat(200 * 1024)
const UNACKED_LIMIT = 100
const ACK_TIMEOUT_MS = 1000

let pki: TestPki
let c: Federation
let limited: Federation
const peers: HostilePeer[] = []

beforeAll(async () => {
  pki = await createTestPki()
  const policy = { peerRules: [], limits: { stanzasPerSecond: 1000, burst: 1000 } }
  c = await startFederation({ config: await configFor(pki, 'c.test', { listen: [C], policy }) })
  limited = await startFederation({
    config: await configFor(pki, 'c.test', {
      listen: [C_LIMITED],
      policy,
      streams: { maxUnackedStanzas: UNACKED_LIMIT, ackTimeoutMs: ACK_TIMEOUT_MS },
    }),
  })
})
afterAll(async () => {
  for (const peer of peers) peer.socket.destroy()
  await c?.stop()
  await limited?.stop()
})

const request = (i: number) =>
  `<iq type='get' from='d.test' to='c.test' id='q${i}'><query xmlns='urn:example:unknown'>${PAYLOAD}</query></iq>`

/** Authenticates as d.test and sends the requests one after the other, each once the last left. */
async function attack(port: number) {
  const cert = await pki.ca.issue({ dnsNames: ['d.test'] })
  const peer = await authenticatedHostile(port, cert, 'd.test', 'c.test', { bidi: true })
  peers.push(peer)
  const start = peer.secure().length
  // Flow-controlled, so that the peer's own unsent requests are not what the heap measures.
  for (let i = 0; i < REQUESTS && peer.tls?.writable; i++) {
    await new Promise((resolve) => peer.tls?.write(request(i), resolve))
  }
  const received = () => peer.secure().toString().slice(start)
  const answers = () => (received().match(/<iq /g) ?? []).length
  return { peer, received, answers }
}

it(`${REQUESTS} refused 200 KiB requests, never acknowledged: each answer carries a bounded excerpt`, async ({
  task,
}) => {
  const heapBefore = await heapAfterGcMiB()
  const { received, answers } = await attack(C.port)
  expect(await until(() => answers() === REQUESTS, 10_000)).toBe(true)
  // Measured while the stream is up and every answer is still held for a resend.
  const heapGrowth = (await heapAfterGcMiB()) - heapBefore
  const bytesPerAnswer = received().length / answers()
  expect(received()).toContain('<service-unavailable')
  expect(bytesPerAnswer).toBeLessThan(MAX_ERROR_PAYLOAD + 1024)
  expect(heapGrowth).toBeLessThan(8)
  report(task, {
    outcome: `${answers()} answers of ${Math.round(bytesPerAnswer)} B each; heap +${heapGrowth.toFixed(1)} MiB with all of them unacknowledged`,
    counts: {
      requests: REQUESTS,
      requestBytes: PAYLOAD.length,
      bytesPerAnswer: Math.round(bytesPerAnswer),
      heapGrowthMiB: Number(heapGrowth.toFixed(1)),
    },
  })
})

it(`at most ${UNACKED_LIMIT} answers go out unacknowledged; an unanswered ack request then closes the stream`, async ({
  task,
}) => {
  const { received, answers } = await attack(C_LIMITED.port)
  // The XEP-0198 window: the rest of the answers wait in the link's bounded queue.
  await new Promise((resolve) => setTimeout(resolve, ACK_TIMEOUT_MS / 2))
  const withinWindow = answers()
  expect(withinWindow).toBe(UNACKED_LIMIT)
  expect(await until(() => received().includes('</stream:stream>'), ACK_TIMEOUT_MS * 5)).toBe(true)
  expect(received()).toContain('<connection-timeout xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>')
  report(task, {
    outcome: `${withinWindow} answers written unacknowledged (window ${UNACKED_LIMIT}), the rest queued; closed with connection-timeout ${ACK_TIMEOUT_MS} ms after the unanswered <r/>`,
    counts: {
      requests: REQUESTS,
      answersWritten: withinWindow,
      window: UNACKED_LIMIT,
      ackTimeoutMs: ACK_TIMEOUT_MS,
    },
  })
})

it('a peer that floods <r/> around requests it never acknowledges cannot make us hold its <a/> answers', async ({
  task,
}) => {
  // Our output of a turn is one string; unacknowledged stanzas keep their place in it. Here each
  // turn's output is one small answer among some 80 KB of <a/> answers to the peer's <r/> flood:
  // held for that answer, 300 turns would keep about 24 MB alive.
  const FLOOD = SM_REQUEST.repeat(1250)
  const heapBefore = await heapAfterGcMiB()
  const cert = await pki.ca.issue({ dnsNames: ['e.test'] })
  const peer = await authenticatedHostile(C.port, cert, 'e.test', 'c.test', { bidi: true })
  peers.push(peer)
  const start = peer.secure().length
  const small = (i: number) =>
    `<iq type='get' from='e.test' to='c.test' id='f${i}'><query xmlns='urn:example:unknown'/></iq>`
  const received = () => peer.secure().toString().slice(start)
  const answers = () => (received().match(/<iq /g) ?? []).length
  for (let i = 0; i < REQUESTS && peer.tls?.writable; i++) {
    await new Promise((resolve) => peer.tls?.write(FLOOD + small(i) + FLOOD, resolve))
    // The peer reads what it asked for: one that does not is cut off (its unread output bound).
    if (i % 10 === 9) await until(() => answers() === i + 1, 5_000)
  }
  const arrived = await until(() => answers() === REQUESTS, 8_000)
  expect(arrived, `${answers()} answers; last received: ${received().slice(-300)}`).toBe(true)
  const acks = (received().match(/<a /g) ?? []).length
  // V8 keeps the last regular expression's subject (RegExp.input): here the 25 MB the peer
  // received. A match on a short string lets it go, so that the heap measures our side.
  ;/x/.exec('x')
  const heapGrowth = (await heapAfterGcMiB()) - heapBefore
  expect(acks).toBeGreaterThan(REQUESTS * 1000)
  expect(heapGrowth).toBeLessThan(8)
  report(task, {
    outcome: `${answers()} answers held unacknowledged among ${acks} <a/> answers written; heap +${heapGrowth.toFixed(1)} MiB`,
    counts: { requests: REQUESTS, acksWritten: acks, heapGrowthMiB: Number(heapGrowth.toFixed(1)) },
  })
})
