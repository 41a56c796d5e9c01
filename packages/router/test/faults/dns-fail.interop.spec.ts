import { type DnsServer, startDnsServer } from '@xmpp-federation/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { report } from '../../../stream/fuzz/report.js'
import { createResolver, type Federation, xml } from '../../src/index.js'
import { configFor, createTestPki, startFederation } from '../fixtures.js'
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js'
import { countsOf, Ledger } from './ledger.js'

// d.test is found through a real DNS server (dnsmasq, SRV then A). Mid-run the DNS server
// stops and the link drops, so the reconnect must resolve again and cannot; later DNS comes
// back. Every send() settles: delivered, or bounced with the resolution failure.
const DNS = { ip: '127.0.0.85', port: 5385 }
const HOST = '127.0.0.87'
const PROXY_PORT = 25601
const D = { host: HOST, port: 25602 }
const C = { host: HOST, port: 25603 }
const PHASE = 100
const ZONE = {
  srv: [{ name: '_xmpp-server._tcp.d.test', target: 'xmpp.d.test', port: PROXY_PORT }],
  a: [{ name: 'xmpp.d.test', address: HOST }],
}

let dns: DnsServer | undefined
let proxy: TcpProxy
let c: Federation
let d: Federation

beforeAll(async () => {
  dns = await startDnsServer({ ...DNS, zone: ZONE })
  const pki = await createTestPki()
  d = await startFederation({
    config: await configFor(pki, 'd.test', {
      listen: [D],
      routes: { 'c.test': [C] },
      policy: { limits: { stanzasPerSecond: 100_000, burst: 100_000 } },
    }),
  })
  proxy = await startTcpProxy({ host: HOST, port: PROXY_PORT, target: D })
  c = await startFederation({
    config: await configFor(pki, 'c.test', { listen: [C] }),
    // No cache: every connection resolves d.test again, as after a TTL expiry.
    resolver: createResolver({ servers: [`${DNS.ip}:${DNS.port}`], timeoutMs: 1000, cache: false }),
    backoff: { initialMs: 20, maxMs: 200 },
  })
})
afterAll(async () => {
  await c?.stop()
  await d?.stop()
  await proxy?.close()
  await dns?.stop()
})

it(`${3 * PHASE} stanzas: DNS up, then DNS down with the link dropped, then DNS back: all accounted for`, async ({
  task,
}) => {
  const ledger = new Ledger(c)
  d.on('stanza', (s) => ledger.deliver(s.attrs.id))
  c.on('stanza', (s) => ledger.returnedError(s))
  const send = async (from: number) => {
    for (let i = from; i < from + PHASE; i++) {
      ledger.send(
        xml(
          'message',
          { from: 'bot@c.test', to: 'eve@d.test', id: `n${i}`, type: 'chat' },
          xml('body', {}, `n${i}`),
        ),
      )
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  await send(0)
  await ledger.quiet(10_000)
  await dns!.stop()
  dns = undefined
  proxy.dropAll()
  await send(PHASE)
  await ledger.quiet(10_000, 300)
  dns = await startDnsServer({ ...DNS, zone: ZONE })
  await new Promise((resolve) => setTimeout(resolve, 300)) // past the link's backoff
  await send(2 * PHASE)
  const a = await ledger.settle(10_000)
  console.log('[faults] dns-fail', JSON.stringify(a))
  expect(a.unaccounted).toBe(0)
  expect(a.bounceMismatches).toBe(0)
  expect(a.delivered + a.bounced + a.writtenUnconfirmed).toBe(3 * PHASE)
  expect(a.bounced).toBeGreaterThan(0)
  // The first and the last phase arrive; the middle one bounces, apart from what was in flight.
  expect(a.delivered).toBeGreaterThanOrEqual(2 * PHASE)
  expect(a.duplicates).toBeLessThanOrEqual(a.resent)
  report(task, {
    outcome: 'DNS stopped and link dropped after 1/3, DNS back for the last 1/3',
    counts: countsOf(a),
  })
}, 60_000)
