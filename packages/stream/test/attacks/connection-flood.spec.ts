import type { Server } from 'node:net'
import { createTestCA, type TestCA } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectHostile, type HostilePeer, peerHeader } from '../../fuzz/hostile-peer.js'
import { report } from '../../fuzz/report.js'
import { trustingDialback } from '../../fuzz/trusting-dialback.js'
import {
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  type InboundSession,
  listen,
  type StreamContext,
} from '../../src/index.js'

// A flood of connections that never authenticate: the listener holds at most
// maxPendingConnections of them; each one more gets <resource-constraint/> at once and is closed.
// Authenticated streams do not count, and the slots come back when pending streams end.
const HOST = '127.0.0.80'
const LIMIT = 10

describe('connection floods', () => {
  let ca: TestCA
  let context: StreamContext
  const servers: Server[] = []
  const peers: HostilePeer[] = []

  beforeAll(async () => {
    ca = await createTestCA()
    const cert = await ca.issue({ dnsNames: ['c.test'] })
    context = createStreamContext({
      localDomains: ['c.test'],
      auth: [trustingDialback()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [ca.certPem] }),
        credentials: { '*': { cert: cert.chainPem, key: cert.keyPem } },
      }),
      security: { tls: 'none', requireValidCertificate: false },
      timeouts: { negotiationMs: 1500, closeMs: 200 },
    })
  })
  afterAll(async () => {
    for (const peer of peers) peer.socket.destroy()
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  })

  async function start(maxPendingConnections?: number) {
    const sessions: InboundSession[] = []
    // All from one address: the per-address rate (connection-storm.spec.ts) would refuse them first.
    const options = {
      host: HOST,
      port: 0,
      maxPendingConnections,
      maxConnectionsPerSecondPerAddress: Infinity,
    }
    const server = await listen(context, options, (s) => sessions.push(s))
    servers.push(server)
    return { port: (server.address() as { port: number }).port, sessions }
  }
  async function flood(port: number, count: number) {
    const opened = await Promise.all(Array.from({ length: count }, () => connectHostile(HOST, port)))
    peers.push(...opened)
    return opened
  }
  const refused = (peer: HostilePeer) =>
    peer.text().includes('<resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>')

  it(`holds ${LIMIT} idle connections and refuses the next ${3 * LIMIT} with resource-constraint`, async ({
    task,
  }) => {
    const { port, sessions } = await start(LIMIT)
    const flooders = await flood(port, 4 * LIMIT)
    // The refused ones are told at once; the held ones hear nothing (they have not spoken).
    await Promise.all(flooders.map((p) => p.waitFor('</stream:stream>', 300)))
    const refusedCount = flooders.filter(refused).length
    expect(sessions).toHaveLength(LIMIT)
    expect(refusedCount).toBe(3 * LIMIT)
    report(task, {
      outcome: `${LIMIT} held, ${refusedCount} refused`,
      counts: { opened: 4 * LIMIT, held: LIMIT, refused: refusedCount },
    })
  })

  it('takes connections again once the pending ones hit their negotiation deadline', async () => {
    const { port, sessions } = await start(LIMIT)
    await flood(port, LIMIT)
    await Promise.all(sessions.map((s) => s.closed))
    const [late] = await flood(port, 1)
    late!.write(peerHeader('b.test', 'c.test'))
    expect(await late!.waitFor('<stream:features>')).toBe(true)
    expect(refused(late!)).toBe(false)
  })

  it('does not count authenticated streams', async () => {
    const { port, sessions } = await start(LIMIT)
    const legit = await flood(port, LIMIT)
    for (const peer of legit)
      peer.write(`${peerHeader('b.test', 'c.test')}<db:result from='b.test' to='c.test'>k</db:result>`)
    await Promise.all(legit.map((peer) => peer.waitFor('type="valid"')))
    expect(sessions.every((s) => s.phase === 'established')).toBe(true)
    const more = await flood(port, LIMIT)
    for (const peer of more) peer.write(peerHeader('b.test', 'c.test'))
    await Promise.all(more.map((peer) => peer.waitFor('<stream:features>')))
    expect(more.filter(refused)).toHaveLength(0)
  })

  it(`defaults to ${DEFAULT_MAX_PENDING_CONNECTIONS} pending connections per listener`, async () => {
    const { port, sessions } = await start()
    const flooders = await flood(port, DEFAULT_MAX_PENDING_CONNECTIONS + 5)
    await Promise.all(flooders.map((p) => p.waitFor('</stream:stream>', 300)))
    expect(sessions).toHaveLength(DEFAULT_MAX_PENDING_CONNECTIONS)
    expect(flooders.filter(refused)).toHaveLength(5)
  })
})
