import dgram from 'node:dgram'
import {
  createWorkdir,
  type DnsServer,
  startDnsServer,
  stopAllPeers,
  type Workdir,
} from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ConnectionTarget,
  createResolver,
  ResolveError,
  type ResolverOptions,
} from '../src/resolve/index.js'

// A real DNS server (dnsmasq) on loopback serves the zone below; every other
// name under .test is NXDOMAIN, names outside .test are REFUSED (no upstream).
const DNS_IP = '127.0.0.53'
const DNS_PORT = 5333
const CACHING_DNS_PORT = 5334
const SILENT_PORT = 5399

const zone = {
  srv: [
    // two targets of different priority; the second has an IPv6 address too
    { name: '_xmpp-server._tcp.prio.test', target: 'backup.prio.test', port: 5271, priority: 20, weight: 0 },
    { name: '_xmpp-server._tcp.prio.test', target: 'main.prio.test', port: 5270, priority: 10, weight: 5 },
    // direct TLS preferred by priority over STARTTLS (XEP-0368)
    { name: '_xmpps-server._tcp.tls.test', target: 'xmpp.tls.test', port: 5223, priority: 5 },
    { name: '_xmpp-server._tcp.tls.test', target: 'xmpp.tls.test', port: 5269, priority: 10 },
    // both services decidedly not available (RFC 2782)
    { name: '_xmpps-server._tcp.closed.test', target: '.' },
    { name: '_xmpp-server._tcp.closed.test', target: '.' },
    // a target without any address
    { name: '_xmpp-server._tcp.ghost.test', target: 'nothing.ghost.test', port: 5269 },
  ],
  a: [
    { name: 'main.prio.test', address: '127.0.0.2' },
    { name: 'backup.prio.test', address: '127.0.0.3' },
    { name: 'xmpp.tls.test', address: '127.0.0.4' },
    { name: 'plain.test', address: '127.0.0.5' },
    { name: 'closed.test', address: '127.0.0.6' },
    { name: 'ghost.test', address: '127.0.0.7' },
  ],
  aaaa: [{ name: 'backup.prio.test', address: '::1' }],
}

let workdir: Workdir
let dns: DnsServer
let cachingDns: DnsServer

beforeAll(async () => {
  workdir = await createWorkdir() // dnsmasq logs every query there; XF_KEEP_PEERS=1 keeps it
  ;[dns, cachingDns] = await Promise.all([
    startDnsServer({ workdir, ip: DNS_IP, port: DNS_PORT, zone }),
    startDnsServer({ workdir, ip: DNS_IP, port: CACHING_DNS_PORT, zone, ttlSeconds: 60 }),
  ])
})

afterAll(async () => {
  await stopAllPeers()
  await workdir?.cleanup()
})

const resolverFor = (server: () => DnsServer, options: ResolverOptions = {}) =>
  createResolver({ servers: [server().address], timeoutMs: 2000, cache: false, ...options })

const brief = (targets: ConnectionTarget[]) =>
  targets.map((t) => `${t.source} ${t.directTls ? 'tls' : 'tcp'} ${t.host}:${t.port}`)

async function resolveError(promise: Promise<unknown>): Promise<ResolveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ResolveError)
  return error as ResolveError
}

describe('resolver against dnsmasq', () => {
  it('orders SRV targets by priority, each with its addresses, A before AAAA', async () => {
    const targets = await resolverFor(() => dns).resolve('PRIO.test')
    expect(targets).toEqual([
      { host: '127.0.0.2', port: 5270, directTls: false, source: 'srv-xmpp', hostname: 'main.prio.test' },
      { host: '127.0.0.3', port: 5271, directTls: false, source: 'srv-xmpp', hostname: 'backup.prio.test' },
      { host: '::1', port: 5271, directTls: false, source: 'srv-xmpp', hostname: 'backup.prio.test' },
    ])
  })

  it('returns an _xmpps-server record as a direct TLS target, mixed by priority', async () => {
    expect(brief(await resolverFor(() => dns).resolve('tls.test'))).toEqual([
      'srv-xmpps tls 127.0.0.4:5223',
      'srv-xmpp tcp 127.0.0.4:5269',
    ])
    expect(brief(await resolverFor(() => dns, { directTls: false }).resolve('tls.test'))).toEqual([
      'srv-xmpp tcp 127.0.0.4:5269',
    ])
  })

  it('falls back to the A record on 5269 when there is no SRV record', async () => {
    expect(brief(await resolverFor(() => dns).resolve('plain.test'))).toEqual(['fallback tcp 127.0.0.5:5269'])
  })

  it('fails with NO_TARGETS when both services are "." (no fallback despite an A record)', async () => {
    expect((await resolveError(resolverFor(() => dns).resolve('closed.test'))).code).toBe('NO_TARGETS')
  })

  it('fails with NO_TARGETS when the only SRV target has no address', async () => {
    expect((await resolveError(resolverFor(() => dns).resolve('ghost.test'))).code).toBe('NO_TARGETS')
  })

  it('fails with NXDOMAIN for an unknown domain', async () => {
    const error = await resolveError(resolverFor(() => dns).resolve('unknown.test'))
    expect(error).toMatchObject({ code: 'NXDOMAIN', domain: 'unknown.test' })
  })

  it('fails with REFUSED when the server refuses to answer', async () => {
    // dnsmasq has no upstream: a name outside .test is refused, not forwarded.
    expect((await resolveError(resolverFor(() => dns).resolve('example.org'))).code).toBe('REFUSED')
  })

  it('keeps an answer for its TTL (60 s here) and asks again with TTL 0', async () => {
    const question = /query\[SRV\] _xmpp-server\._tcp\.plain\.test /g
    const asked = async (server: DnsServer) => ((await server.log()).match(question) ?? []).length
    const cached = createResolver({ servers: [cachingDns.address], timeoutMs: 2000 })
    const uncached = createResolver({ servers: [dns.address], timeoutMs: 2000 })
    const before = await asked(dns)
    for (let i = 0; i < 3; i++) {
      await cached.resolve('plain.test')
      await uncached.resolve('plain.test')
    }
    await expect.poll(() => asked(dns)).toBe(before + 3)
    expect(await asked(cachingDns)).toBe(1)
  })
})

describe('resolver against a DNS server that does not answer', () => {
  let silent: dgram.Socket
  let received = 0

  beforeAll(async () => {
    silent = dgram.createSocket('udp4')
    silent.on('message', () => received++)
    await new Promise<void>((resolve) => silent.bind(SILENT_PORT, DNS_IP, resolve))
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => silent.close(() => resolve()))
  })

  it('fails with TIMEOUT within timeoutMs and a small margin', async () => {
    const timeoutMs = 500
    const resolver = createResolver({ servers: [`${DNS_IP}:${SILENT_PORT}`], timeoutMs, cache: false })
    const started = performance.now()
    const error = await resolveError(resolver.resolve('a.test'))
    const elapsed = performance.now() - started
    expect(error).toMatchObject({ code: 'TIMEOUT', domain: 'a.test' })
    expect(received).toBeGreaterThan(0) // the questions did reach the socket
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50)
    expect(elapsed).toBeLessThan(timeoutMs + 250)
  })

  it('maps "nobody listens on that port" to SERVFAIL, at once', async () => {
    const resolver = createResolver({
      servers: [`${DNS_IP}:${SILENT_PORT - 1}`],
      timeoutMs: 2000,
      cache: false,
    })
    const started = performance.now()
    const error = await resolveError(resolver.resolve('a.test'))
    expect(error.code).toBe('SERVFAIL')
    expect(error.message).toContain('ECONNREFUSED')
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
