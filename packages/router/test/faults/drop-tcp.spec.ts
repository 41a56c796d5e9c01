import { readFile } from 'node:fs/promises'
import {
  createStreamContext,
  createTlsIdentity,
  createTrustAnchors,
  listen,
  saslExternal,
} from '@xmpp-federation/stream'
import { afterAll, describe, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation, type TestPki } from '../fixtures.js'
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js'
import { countsOf, Ledger } from './ledger.js'

// The TCP connection to the peer is destroyed mid-stream, twice, while stanzas flow. Every
// send() settles and the link reconnects. With XEP-0198 on both sides the dead stream's
// unacknowledged stanzas are resent: nothing lost, duplicates counted. Against a peer
// without it, what died in flight is written-but-unconfirmed: lost, and nobody knows.
const HOST = '127.0.0.87'
const TOTAL = 600
// Far above this test's rate: a flood limit would bounce resends, a different story.
const NO_RATE_LIMIT = { policy: { limits: { stanzasPerSecond: 100_000, burst: 100_000 } } }

describe('a TCP connection dropped in flight', () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step()
  })

  /** c.test sends through a proxy that drops every connection at 1/3 and 2/3 of the run. */
  async function run(
    pki: TestPki,
    ports: { proxy: number; c?: number; target: number },
    ledgerFor: (c: Federation) => Ledger,
  ) {
    const proxy: TcpProxy = await startTcpProxy({
      host: HOST,
      port: ports.proxy,
      target: { host: HOST, port: ports.target },
    })
    const c = await startFederation({
      config: await configFor(pki, 'c.test', {
        // A listener lets errors come back; without one there is no XEP-0092 check either.
        listen: ports.c ? [{ host: HOST, port: ports.c }] : [],
        routes: { 'd.test': [{ host: HOST, port: ports.proxy }] },
      }),
      backoff: { initialMs: 20, maxMs: 200 },
    })
    cleanup.push(
      () => c.stop(),
      () => proxy.close(),
    )
    const ledger = ledgerFor(c)
    // Each drop forces a new stream: ours through the proxy, or (XEP-0288) one d opened to us.
    let streams = 0
    c.on('session', (e) => {
      if (e.direction === 'outbound' && e.state === 'established') streams++
    })
    c.on('stanza', (s) => ledger.returnedError(s))
    for (let i = 0; i < TOTAL; i++) {
      ledger.send(
        xml(
          'message',
          { from: 'bot@c.test', to: 'eve@d.test', id: `t${i}`, type: 'chat' },
          xml('body', {}, `n${i}`),
        ),
      )
      if (i === TOTAL / 3 || i === (2 * TOTAL) / 3) proxy.dropAll()
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2))
    }
    const a = await ledger.settle(15_000)
    expect(a.unaccounted).toBe(0)
    expect(a.bounceMismatches).toBe(0)
    expect(a.delivered + a.bounced + a.writtenUnconfirmed).toBe(TOTAL)
    expect(streams).toBeGreaterThanOrEqual(3)
    expect(proxy.connections()).toBeGreaterThanOrEqual(2)
    return { a, streams }
  }

  it(`${TOTAL} stanzas to our library (XEP-0198 on): none lost, resends counted as duplicates`, async ({
    task,
  }) => {
    const pki = await createTestPki()
    const D = { host: HOST, port: 25402 }
    const d = await startFederation({
      config: await configFor(pki, 'd.test', {
        listen: [D],
        routes: { 'c.test': [{ host: HOST, port: 25403 }] },
        ...NO_RATE_LIMIT,
      }),
    })
    cleanup.push(() => d.stop())
    let ledger!: Ledger
    d.on('stanza', (s) => ledger.deliver(s.attrs.id))
    const { a, streams } = await run(
      pki,
      { proxy: 25401, c: 25403, target: D.port },
      (c) => (ledger = new Ledger(c)),
    )
    console.log('[faults] drop-tcp xep-0198', JSON.stringify(a))
    expect(a.writtenUnconfirmed).toBe(0)
    expect(a.bouncedButDelivered).toBe(0)
    expect(a.duplicates).toBeLessThanOrEqual(a.resent)
    report(task, { outcome: `${streams} streams, 2 dropped; at-least-once`, counts: countsOf(a) })
  }, 30_000)

  it(`${TOTAL} stanzas to a receiver without XEP-0198: the losses are counted, never hidden`, async ({
    task,
  }) => {
    const pki = await createTestPki()
    const files = await pki.filesFor('d.test')
    const context = createStreamContext({
      localDomains: ['d.test'],
      auth: [saslExternal()],
      tls: createTlsIdentity({
        anchors: createTrustAnchors({ ca: [pki.ca.certPem] }),
        credentials: { '*': { cert: await readFile(files.cert), key: await readFile(files.key) } },
      }),
      streamManagement: false,
      // A bare receiver: no XEP-0288 either, so nothing (the XEP-0092 query) waits for an answer it never sends.
      bidi: false,
    })
    let ledger!: Ledger
    const server = await listen(context, { host: HOST, port: 25412 }, (s) =>
      s.on('stanza', (x) => ledger.deliver(x.attrs.id)),
    )
    cleanup.push(() => new Promise((resolve) => server.close(resolve)))
    const { a, streams } = await run(pki, { proxy: 25411, target: 25412 }, (c) => (ledger = new Ledger(c)))
    console.log('[faults] drop-tcp no-sm', JSON.stringify(a))
    expect(a.resent).toBe(0)
    expect(a.duplicates).toBe(0)
    report(task, {
      outcome: `${streams} streams, 2 dropped; no acks, so what died in flight is unconfirmed`,
      counts: countsOf(a),
    })
  }, 30_000)
})
