import { createServer, type Server, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import { createTestCA, type TestCA } from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectHostile, peerHeader, STARTTLS } from '../../fuzz/hostile-peer.js'
import { report } from '../../fuzz/report.js'
import {
  connectStream,
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  type InboundSession,
  listen,
  saslExternal,
} from '../../src/index.js'

// Slow peers: whatever they trickle, the negotiation deadline (from accept to authenticated)
// cuts them, with connection-timeout on the wire when the wire still carries XML.
const HOST = '127.0.0.80'
const NEGOTIATION_MS = 2000
const CLOSE_MS = 300
const MARGIN_MS = 700

describe('slowloris and stalled TLS', () => {
  let ca: TestCA
  let server: Server
  let port: number
  const sessions: InboundSession[] = []
  const context = async (domain: string, timeouts = {}) => {
    const cert = await ca.issue({ dnsNames: [domain] })
    return createStreamContext({
      localDomains: [domain],
      auth: [saslExternal()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [ca.certPem] }),
        credentials: { '*': { cert: cert.chainPem, key: cert.keyPem } },
      }),
      timeouts: { negotiationMs: NEGOTIATION_MS, closeMs: CLOSE_MS, connectMs: 1000, ...timeouts },
    })
  }

  beforeAll(async () => {
    ca = await createTestCA()
    server = await listen(await context('c.test'), { host: HOST, port: 0 }, (s) => sessions.push(s))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  it('a peer trickling its header one byte per second is cut at the negotiation deadline', async ({
    task,
  }) => {
    const peer = await connectHostile(HOST, port)
    const started = Date.now()
    const header = peerHeader('b.test', 'c.test')
    let sent = 0
    const trickle = setInterval(() => {
      if (sent < header.length && peer.write(header[sent]!)) sent++
    }, 1000)
    await peer.waitFor('</stream:stream>', NEGOTIATION_MS + MARGIN_MS)
    const cutAfter = Date.now() - started
    clearInterval(trickle)
    peer.end()
    await peer.closed
    expect(peer.text()).toContain('<connection-timeout xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>')
    expect(cutAfter).toBeGreaterThanOrEqual(NEGOTIATION_MS - 50)
    expect(cutAfter).toBeLessThan(NEGOTIATION_MS + MARGIN_MS)
    report(task, {
      outcome: `connection-timeout after ${cutAfter} ms, ${sent} bytes sent`,
      counts: { cutAfterMs: cutAfter, bytesSent: sent },
    })
  })

  it('a peer that stops after its TLS ClientHello is cut at the negotiation deadline', async ({ task }) => {
    const peer = await connectHostile(HOST, port)
    const started = Date.now()
    peer.write(peerHeader('b.test', 'c.test') + STARTTLS)
    expect(await peer.waitFor('<proceed')).toBe(true)
    // A TLS client whose input never arrives: it sends its ClientHello and waits forever.
    const deaf = new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        peer.socket.write(chunk)
        callback()
      },
    })
    const stalled = tlsConnect({ socket: deaf, servername: 'c.test', rejectUnauthorized: false })
    stalled.on('error', () => {})
    const { error } = await sessions.at(-1)!.closed
    const cutAfter = Date.now() - started
    await peer.ended
    stalled.destroy()
    peer.socket.destroy()
    expect(error).toMatchObject({ condition: 'connection-timeout' })
    expect(cutAfter).toBeGreaterThanOrEqual(NEGOTIATION_MS - 50)
    expect(cutAfter).toBeLessThan(NEGOTIATION_MS + CLOSE_MS + MARGIN_MS)
    report(task, { outcome: `connection-timeout, socket closed after ${cutAfter} ms` })
  })

  for (const directTls of [false, true]) {
    it(`outbound: a server that stops after our ClientHello (${directTls ? 'direct TLS' : 'STARTTLS'}) fails the connect at the deadline`, async ({
      task,
    }) => {
      // Accepts TCP, answers STARTTLS with <proceed/>, then reads the ClientHello and says nothing more.
      const stall = createServer((socket: Socket) => {
        socket.on('error', () => {})
        socket.resume() // reads and ignores: sees our FIN, never answers
        if (directTls) return
        socket.once('data', () => {
          socket.write(
            `${peerHeader('d.test', 'c.test', "version='1.0' id='x'")}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`,
          )
          socket.once('data', () => socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"))
        })
      })
      await new Promise<void>((resolve) => stall.listen(0, HOST, resolve))
      const started = Date.now()
      const attempt = connectStream({
        context: await context('c.test'),
        localDomain: 'c.test',
        remoteDomain: 'd.test',
        host: HOST,
        port: (stall.address() as { port: number }).port,
        directTls,
      })
      const error = await attempt.catch((e: unknown) => e)
      const failedAfter = Date.now() - started
      await new Promise((resolve) => stall.close(resolve))
      expect(error).toMatchObject(
        directTls
          ? { name: 'NegotiationError', code: 'TIMEOUT' }
          : { name: 'StreamError', condition: 'connection-timeout' },
      )
      expect(failedAfter).toBeLessThan(NEGOTIATION_MS + CLOSE_MS + MARGIN_MS)
      report(task, { outcome: `failed after ${failedAfter} ms (${(error as Error).message})` })
    }, 10_000)
  }
})
