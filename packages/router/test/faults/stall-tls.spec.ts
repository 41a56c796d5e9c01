import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { peerHeader } from '../../../stream/fuzz/hostile-peer.js'
import { report } from '../../../stream/fuzz/report.js'
import { xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { countsOf, Ledger } from './ledger.js'

// A peer that accepts TCP, lets TLS start and then stops after our ClientHello. What waits
// for it bounces at the negotiation deadline with remote-server-timeout, and the link is not
// stuck: once the peer is healthy again, the next stanzas go through.
const HOST = '127.0.0.87'
const NEGOTIATION_MS = 800
// After the deadline a STARTTLS stream still gets its closing handshake (closeMs, 2 s by default).
const CLOSE_MS = 2000
const BATCH = 50

/** Answers like an XMPP server up to TLS, then reads the ClientHello and says nothing more. */
async function stallingPeer(port: number, directTls: boolean): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => {})
    socket.resume()
    if (directTls) return
    socket.once('data', () => {
      socket.write(
        `${peerHeader('d.test', 'c.test', "version='1.0' id='x'")}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`,
      )
      socket.once('data', () => socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"))
    })
  })
  await new Promise<void>((resolve) => server.listen(port, HOST, resolve))
  return server
}

describe('TLS that stalls after the ClientHello', () => {
  let pki: TestPki
  const stops: (() => Promise<unknown>)[] = []
  beforeAll(async () => {
    pki = await createTestPki()
  })
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop()
  })

  for (const directTls of [false, true]) {
    const port = directTls ? 25422 : 25421
    it(`${directTls ? 'direct TLS' : 'STARTTLS'}: ${BATCH} queued stanzas bounce with remote-server-timeout; the link recovers`, async ({
      task,
    }) => {
      let stall: Server | undefined = await stallingPeer(port, directTls)
      const c = await startFederation({
        config: await configFor(pki, 'c.test', {
          routes: { 'd.test': [{ host: HOST, port, directTls }] },
          timeouts: { negotiationMs: NEGOTIATION_MS },
          queue: { ttlMs: 30_000 },
        }),
        backoff: { initialMs: 20, maxMs: 100 },
      })
      stops.push(() => c.stop())
      const ledger = new Ledger(c)
      const started = Date.now()
      for (let i = 0; i < BATCH; i++)
        ledger.send(xml('message', { from: 'a@c.test', to: 'x@d.test', id: `s${i}` }))
      const stalled = await ledger.settle(5000, 0)
      const bouncedAfter = Date.now() - started
      expect(stalled).toMatchObject({ sent: BATCH, bounced: BATCH, unaccounted: 0, bounceMismatches: 0 })
      expect(stalled.conditions).toEqual({ 'remote-server-timeout': BATCH })
      expect(bouncedAfter).toBeLessThan(NEGOTIATION_MS + CLOSE_MS + 1000)

      // The peer comes back healthy on the same address.
      await new Promise((resolve) => stall?.close(resolve))
      stall = undefined
      const d = await startFederation({
        config: await configFor(pki, 'd.test', { listen: [{ host: HOST, port, directTls }] }),
      })
      stops.push(() => d.stop())
      const after = new Ledger(c)
      d.on('stanza', (s) => after.deliver(s.attrs.id))
      for (let i = 0; i < BATCH; i++)
        after.send(xml('message', { from: 'a@c.test', to: 'x@d.test', id: `r${i}` }))
      const recovered = await after.settle(5000)
      expect(recovered).toMatchObject({ sent: BATCH, delivered: BATCH, unaccounted: 0 })
      const counts = countsOf(stalled)
      report(task, {
        outcome: `${BATCH} bounced after ${bouncedAfter} ms; then ${recovered.delivered}/${BATCH} delivered once the peer recovered`,
        counts: { ...counts, recoveredDelivered: recovered.delivered },
      })
    }, 20_000)
  }
})
