import type { TLSSocket } from 'node:tls'
import { dialback } from '@xmpp-federation/dialback'
import { saslExternal } from '@xmpp-federation/stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectHostile, type HostilePeer, peerHeader } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { heapAfterGcMiB, until } from '../../../stream/test/attacks/measure.js'
import type { Federation } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { authenticatedHostile, SM_ENABLE, SM_REQUEST } from './authenticated-peer.js'
import { ATTACK_HOST, securedHostile } from './hostile.js'

// Peers that make us write and never read what we write. Before: every <r/> was answered with
// <a h='0'/> whether or not TLS or authentication had happened, and write()'s return value was
// ignored: 160 MiB sent over 4 connections took the heap from 14 to 617 MiB. Now stream
// management waits for authentication, nothing but STARTTLS is read in clear where TLS is
// required, and a socket that pushes back stops our reading until it drains.
const C = { host: ATTACK_HOST, port: 25351 }
const C_DIALBACK = { host: ATTACK_HOST, port: 25352 }
const DB_VERIFY = "<db:verify from='d.test' to='c.test' id='guessed'>0123456789abcdef</db:verify>"
const CHUNK = SM_REQUEST.repeat(Math.ceil((1024 * 1024) / SM_REQUEST.length))
const BUDGET = 64 * 1024 * 1024

let pki: TestPki
let c: Federation
let withDialback: Federation
const peers: HostilePeer[] = []

beforeAll(async () => {
  pki = await createTestPki()
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C], policy: { peerRules: [] } }),
  })
  withDialback = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C_DIALBACK], policy: { peerRules: [] } }),
    auth: [saslExternal(), dialback({ secret: 'unread-output' })],
  })
})
afterAll(async () => {
  for (const peer of peers) peer.socket.destroy()
  await c?.stop()
  await withDialback?.stop()
})

/**
 * Writes `chunk` (about 1 MiB) again and again, each once the last one left the peer, until
 * `BUDGET` is sent or a chunk has not left after `stallMs` (the server stopped reading).
 * Returns the bytes that left.
 */
async function flood(socket: TLSSocket, chunk: string, stallMs = 1000): Promise<number> {
  let sent = 0
  while (sent < BUDGET) {
    const left = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), stallMs)
      socket.write(chunk, () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (!left) break
    sent += chunk.length
  }
  return sent
}

it('a <r/> flood in clear where TLS is required gets one policy-violation, no acks', async ({ task }) => {
  const peer = await connectHostile(ATTACK_HOST, C.port)
  peers.push(peer)
  peer.write(peerHeader('d.test', 'c.test') + SM_ENABLE + SM_REQUEST.repeat(10_000))
  await until(() => peer.text().includes('</stream:stream>'), 3000)
  const received = peer.text()
  expect(received).toContain('<policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>')
  expect(received).not.toContain('<a ')
  expect(received).not.toContain('<enabled')
  report(task, {
    outcome: `${received.length} bytes back for 10,000 <r/>: the features and one stream error`,
    counts: { requests: 10_000, bytesBack: received.length },
  })
})

/**
 * The peer stops reading and floods `chunk` (each element answered by us) until the server
 * stops taking bytes or the budget is spent; returns what the server took and kept.
 */
async function floodWithoutReading(peer: HostilePeer, chunk: string) {
  const heapBefore = await heapAfterGcMiB()
  const tls = peer.tls!
  // The peer reads nothing more: what we answer stays with us, or in the kernel.
  tls.pause()
  peer.socket.pause()
  const sent = await flood(tls, chunk)
  const heapGrowth = (await heapAfterGcMiB()) - heapBefore
  // The server stopped taking bytes long before the budget; its memory shows it.
  expect(sent).toBeLessThan(BUDGET / 2)
  expect(heapGrowth).toBeLessThan(24)
  return {
    outcome: (what: string) =>
      `the server stopped reading after ${(sent / 2 ** 20).toFixed(0)} MiB of ${what}; heap +${heapGrowth.toFixed(1)} MiB`,
    counts: {
      offeredMiB: BUDGET / 2 ** 20,
      acceptedMiB: Number((sent / 2 ** 20).toFixed(1)),
      heapGrowthMiB: Number(heapGrowth.toFixed(1)),
    },
  }
}

it('an authenticated peer that never reads and floods <r/>: we stop reading, memory stays bounded', async ({
  task,
}) => {
  const cert = await pki.ca.issue({ dnsNames: ['d.test'] })
  const peer = await authenticatedHostile(C.port, cert, 'd.test', 'c.test')
  peers.push(peer)
  const result = await floodWithoutReading(peer, CHUNK)
  report(task, { outcome: result.outcome('<r/>'), counts: result.counts })
})

it('an unauthenticated peer that never reads and floods <db:verify/> after STARTTLS: bounded the same way', async ({
  task,
}) => {
  const cert = await pki.ca.issue({ dnsNames: ['d.test'] })
  const peer = await securedHostile(C_DIALBACK.port, cert, 'd.test', 'c.test')
  peers.push(peer)
  const result = await floodWithoutReading(
    peer,
    DB_VERIFY.repeat(Math.ceil((1024 * 1024) / DB_VERIFY.length)),
  )
  report(task, { outcome: result.outcome('<db:verify/>'), counts: result.counts })
})

it('stream management before authentication: <r/> after TLS and before auth ends the stream', async () => {
  const cert = await pki.ca.issue({ dnsNames: ['d.test'] })
  // TLS done, no SASL yet.
  const fresh = await securedHostile(C.port, cert, 'd.test', 'c.test')
  peers.push(fresh)
  fresh.write(SM_REQUEST)
  await until(() => fresh.secure().toString().includes('</stream:stream>'), 3000)
  expect(fresh.secure().toString()).toContain('<unsupported-stanza-type')
  expect(fresh.secure().toString()).not.toContain('<a ')
})
