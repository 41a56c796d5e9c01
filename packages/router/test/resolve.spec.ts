import { describe, expect, it } from 'vitest'
import {
  type ConnectionTarget,
  createResolver,
  ResolveError,
  type ResolverOptions,
} from '../src/resolve/index.js'
import { type FakeZone, fakeDns, noDns, randomSequence, srv } from './resolve-fake-dns.js'

const XMPP = (domain: string) => `_xmpp-server._tcp.${domain}`
const XMPPS = (domain: string) => `_xmpps-server._tcp.${domain}`

function setup(zone: FakeZone, options: Omit<ResolverOptions, 'dns'> = {}) {
  const dns = fakeDns(zone)
  const resolver = createResolver({ cache: false, random: () => 0, ...options, dns })
  return { dns, resolver }
}

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

describe('resolver: SRV (RFC 6120 §3.2.1)', () => {
  it('returns the targets of _xmpp-server in priority order, STARTTLS', async () => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('backup.a.test', 5270, 20), srv('main.a.test', 5269, 10)] },
      a: { 'main.a.test': ['192.0.2.1'], 'backup.a.test': ['192.0.2.2'] },
    })
    const targets = await resolver.resolve('a.test')
    expect(targets).toEqual([
      { host: '192.0.2.1', port: 5269, directTls: false, source: 'srv-xmpp', hostname: 'main.a.test' },
      { host: '192.0.2.2', port: 5270, directTls: false, source: 'srv-xmpp', hostname: 'backup.a.test' },
    ])
  })

  it('lists every address of a target, A before AAAA', async () => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('x.a.test', 5269)] },
      a: { 'x.a.test': ['192.0.2.1', '192.0.2.9'] },
      aaaa: { 'x.a.test': ['2001:db8::1'] },
    })
    expect((await resolver.resolve('a.test')).map((t) => t.host)).toEqual([
      '192.0.2.1',
      '192.0.2.9',
      '2001:db8::1',
    ])
  })

  it('skips a target without addresses and keeps the others', async () => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('gone.a.test', 5269, 1), srv('x.a.test', 5269, 2)] },
      a: { 'x.a.test': ['192.0.2.1'] },
    })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpp tcp 192.0.2.1:5269'])
  })

  it('does not fall back to A/AAAA when no SRV target has an address (step 8)', async () => {
    const { dns, resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('gone.a.test', 5269)] },
      a: { 'a.test': ['192.0.2.1'] },
    })
    const error = await resolveError(resolver.resolve('a.test'))
    expect(error.code).toBe('NO_TARGETS')
    expect(dns.questions).not.toContain('A a.test')
  })

  it('takes an IP literal as SRV target at its word', async () => {
    const { dns, resolver } = setup({ srv: { [XMPP('a.test')]: [srv('192.0.2.7', 5269)] } })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpp tcp 192.0.2.7:5269'])
    expect(dns.questions.filter((q) => q.includes('192.0.2.7'))).toEqual([])
  })

  it('lists an address reached through two records once, at its first place', async () => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('one.a.test', 5269, 1), srv('two.a.test', 5269, 2)] },
      a: { 'one.a.test': ['192.0.2.1'], 'two.a.test': ['192.0.2.1', '192.0.2.2'] },
    })
    expect((await resolver.resolve('a.test')).map((t) => t.host)).toEqual(['192.0.2.1', '192.0.2.2'])
  })

  it('asks once for a target named by several records', async () => {
    const { dns, resolver } = setup({
      srv: {
        [XMPP('a.test')]: [srv('x.a.test', 5269, 1), srv('X.a.test', 5270, 2)],
        [XMPPS('a.test')]: [srv('x.a.test', 5223, 0)],
      },
      a: { 'x.a.test': ['192.0.2.1'] },
    })
    expect(brief(await resolver.resolve('a.test'))).toEqual([
      'srv-xmpps tls 192.0.2.1:5223',
      'srv-xmpp tcp 192.0.2.1:5269',
      'srv-xmpp tcp 192.0.2.1:5270',
    ])
    expect(dns.questions.filter((q) => q === 'A x.a.test')).toHaveLength(1)
  })
})

describe('resolver: direct TLS records mixed in (XEP-0368)', () => {
  const zone = (xmppsPriority: number, xmppPriority: number): FakeZone => ({
    srv: {
      [XMPPS('a.test')]: [srv('x.a.test', 5223, xmppsPriority, 1)],
      [XMPP('a.test')]: [srv('x.a.test', 5269, xmppPriority, 3)],
    },
    a: { 'x.a.test': ['192.0.2.1'] },
  })

  it('asks both services in parallel', async () => {
    const { dns, resolver } = setup(zone(10, 10))
    await resolver.resolve('a.test')
    expect(dns.questions.slice(0, 2).sort()).toEqual([`SRV ${XMPP('a.test')}`, `SRV ${XMPPS('a.test')}`])
  })

  it('orders direct TLS and STARTTLS records by priority as one set', async () => {
    expect(brief(await setup(zone(5, 10)).resolver.resolve('a.test'))).toEqual([
      'srv-xmpps tls 192.0.2.1:5223',
      'srv-xmpp tcp 192.0.2.1:5269',
    ])
    expect(brief(await setup(zone(20, 10)).resolver.resolve('a.test'))).toEqual([
      'srv-xmpp tcp 192.0.2.1:5269',
      'srv-xmpps tls 192.0.2.1:5223',
    ])
  })

  it('draws by weight across both services within one priority', async () => {
    // xmpps weight 1, xmpp weight 3: running sums 1, 4; numbers 0..4.
    const first = async (random: number) =>
      (await setup(zone(10, 10), { random: randomSequence(random, 0) }).resolver.resolve('a.test'))[0]!.source
    expect(await first(0)).toBe('srv-xmpps') // 0
    expect(await first(1.5 / 5)).toBe('srv-xmpps') // 1
    expect(await first(2.5 / 5)).toBe('srv-xmpp') // 2
    expect(await first(0.99)).toBe('srv-xmpp') // 4
  })

  it('does not ask for _xmpps-server when direct TLS is off', async () => {
    const { dns, resolver } = setup(zone(5, 10), { directTls: false })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpp tcp 192.0.2.1:5269'])
    expect(dns.questions).not.toContain(`SRV ${XMPPS('a.test')}`)
  })

  it('uses direct TLS records alone when there is no _xmpp-server record', async () => {
    const { resolver } = setup({
      srv: { [XMPPS('a.test')]: [srv('x.a.test', 5223)] },
      a: { 'x.a.test': ['192.0.2.1'], 'a.test': ['192.0.2.99'] },
    })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpps tls 192.0.2.1:5223'])
  })
})

describe('resolver: "." targets (RFC 2782: decidedly not available)', () => {
  const dot = [srv('', 0)]
  const base = { a: { 'x.a.test': ['192.0.2.1'], 'a.test': ['192.0.2.99'] } }

  it('drops direct TLS when _xmpps-server is "." and uses _xmpp-server', async () => {
    const { resolver } = setup({
      ...base,
      srv: { [XMPPS('a.test')]: dot, [XMPP('a.test')]: [srv('x.a.test', 5269)] },
    })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpp tcp 192.0.2.1:5269'])
  })

  it('uses _xmpps-server when _xmpp-server is "."', async () => {
    const { resolver } = setup({
      ...base,
      srv: { [XMPP('a.test')]: [srv('.', 1)], [XMPPS('a.test')]: [srv('x.a.test', 5223)] },
    })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpps tls 192.0.2.1:5223'])
  })

  it('fails with NO_TARGETS when both are "."', async () => {
    const { resolver } = setup({ ...base, srv: { [XMPPS('a.test')]: dot, [XMPP('a.test')]: dot } })
    const error = await resolveError(resolver.resolve('a.test'))
    expect(error).toMatchObject({ name: 'ResolveError', code: 'NO_TARGETS', domain: 'a.test' })
  })

  it('does not fall back to A/AAAA after a "." for _xmpps-server (XEP-0368 §5)', async () => {
    const { dns, resolver } = setup({ ...base, srv: { [XMPPS('a.test')]: dot } })
    expect((await resolveError(resolver.resolve('a.test'))).code).toBe('NO_TARGETS')
    expect(dns.questions).not.toContain('A a.test')
  })

  it('does not fall back to A/AAAA after a "." for _xmpp-server', async () => {
    const { resolver } = setup({ ...base, srv: { [XMPP('a.test')]: dot } })
    expect((await resolveError(resolver.resolve('a.test'))).code).toBe('NO_TARGETS')
  })
})

describe('resolver: fallback (RFC 6120 §3.2.2)', () => {
  it('connects to the domain itself on 5269, STARTTLS, A before AAAA', async () => {
    const { resolver } = setup({ a: { 'a.test': ['192.0.2.1'] }, aaaa: { 'a.test': ['2001:db8::1'] } })
    expect(await resolver.resolve('a.test')).toEqual([
      { host: '192.0.2.1', port: 5269, directTls: false, source: 'fallback', hostname: 'a.test' },
      { host: '2001:db8::1', port: 5269, directTls: false, source: 'fallback', hostname: 'a.test' },
    ])
  })

  it('fails with NXDOMAIN for a domain that does not exist', async () => {
    const { resolver } = setup({ a: { 'a.test': ['192.0.2.1'] } })
    const error = await resolveError(resolver.resolve('nowhere.test'))
    expect(error).toMatchObject({ code: 'NXDOMAIN', domain: 'nowhere.test' })
    expect(error.message).toContain('nowhere.test')
  })

  it('fails with NO_TARGETS for a domain that exists without addresses', async () => {
    const { resolver } = setup({ a: { 'mail.a.test': ['192.0.2.1'] } })
    expect((await resolveError(resolver.resolve('a.test'))).code).toBe('NO_TARGETS')
  })
})

describe('resolver: DNS failures', () => {
  it.each([
    ['TIMEOUT', 'TIMEOUT'],
    ['SERVFAIL', 'SERVFAIL'],
    ['REFUSED', 'REFUSED'],
  ] as const)('maps a %s of an SRV question to %s, with the DNS error as cause', async (failure, code) => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('x.a.test', 5269)] },
      a: { 'x.a.test': ['192.0.2.1'] },
      failures: { [`SRV ${XMPPS('a.test')}`]: failure },
    })
    const error = await resolveError(resolver.resolve('a.test'))
    expect(error.code).toBe(code)
    expect(error.cause).toMatchObject({ name: 'DnsQueryError', code: failure })
  })

  it('skips a target whose address question fails when another target answers', async () => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('slow.a.test', 5269, 1), srv('x.a.test', 5269, 2)] },
      a: { 'x.a.test': ['192.0.2.1'] },
      failures: { 'A slow.a.test': 'TIMEOUT' },
    })
    expect(brief(await resolver.resolve('a.test'))).toEqual(['srv-xmpp tcp 192.0.2.1:5269'])
  })

  it('reports the failure when no target has an address because of it', async () => {
    const { resolver } = setup({
      srv: { [XMPP('a.test')]: [srv('slow.a.test', 5269)] },
      failures: { 'A slow.a.test': 'TIMEOUT' },
    })
    expect((await resolveError(resolver.resolve('a.test'))).code).toBe('TIMEOUT')
  })

  it('uses the A answer when only AAAA fails, and the failure when A finds nothing', async () => {
    const partial = setup({ a: { 'a.test': ['192.0.2.1'] }, failures: { 'AAAA a.test': 'SERVFAIL' } })
    expect(brief(await partial.resolver.resolve('a.test'))).toEqual(['fallback tcp 192.0.2.1:5269'])
    const none = setup({ failures: { 'A a.test': 'TIMEOUT' } })
    expect((await resolveError(none.resolver.resolve('a.test'))).code).toBe('TIMEOUT')
  })
})

describe('resolver: static routes', () => {
  it('returns exactly the configured targets, without asking DNS', async () => {
    const resolver = createResolver({
      dns: noDns,
      routes: {
        'Partner.Example': [
          { host: '198.51.100.7', port: 5269 },
          { host: 'backup.partner.example', port: 5270, directTls: true },
        ],
      },
    })
    expect(await resolver.resolve('partner.example')).toEqual([
      { host: '198.51.100.7', port: 5269, directTls: false, source: 'static' },
      { host: 'backup.partner.example', port: 5270, directTls: true, source: 'static' },
    ])
  })

  it('overrides DNS for that domain only', async () => {
    const dns = fakeDns({ a: { 'other.test': ['192.0.2.1'], 'a.test': ['192.0.2.2'] } })
    const resolver = createResolver({
      dns,
      cache: false,
      routes: { 'a.test': [{ host: '127.0.0.9', port: 5269 }] },
    })
    expect(brief(await resolver.resolve('A.TEST'))).toEqual(['static tcp 127.0.0.9:5269'])
    expect(brief(await resolver.resolve('other.test'))).toEqual(['fallback tcp 192.0.2.1:5269'])
    expect(dns.questions.some((q) => q.endsWith(' a.test'))).toBe(false)
  })

  it('hands out copies, so a caller cannot change the route', async () => {
    const resolver = createResolver({ dns: noDns, routes: { 'a.test': [{ host: '127.0.0.9', port: 5269 }] } })
    const [first] = await resolver.resolve('a.test')
    first!.port = 1
    expect((await resolver.resolve('a.test'))[0]!.port).toBe(5269)
  })

  it.each([
    [{ 'a.test': [] }, /no targets/],
    [{ 'a.test': [{ host: 'x', port: 0 }] }, /port 0/],
    [{ 'a.test': [{ host: '', port: 5269 }] }, /no host/],
    [{ 'a.test': [{ host: 'x', port: 5269 }], 'A.test': [{ host: 'y', port: 5269 }] }, /twice/],
    [{ 'not a domain': [{ host: 'x', port: 5269 }] }, /invalid static route domain/],
  ])('rejects a broken route table at construction: %j', (routes, message) => {
    expect(() => createResolver({ dns: noDns, routes })).toThrow(message)
  })
})

describe('resolver: domain input', () => {
  it('asks in lower-case A-labels without the trailing dot', async () => {
    const { dns, resolver } = setup({ a: { 'xn--bcher-kva.test': ['192.0.2.1'] } })
    expect(brief(await resolver.resolve('BÜCHER.test.'))).toEqual(['fallback tcp 192.0.2.1:5269'])
    expect(dns.questions).toContain(`SRV ${XMPP('xn--bcher-kva.test')}`)
  })

  it('rejects with a TypeError for something that is not a domain', async () => {
    const { dns, resolver } = setup({})
    await expect(resolver.resolve('a.test:5269')).rejects.toThrow(TypeError)
    await expect(resolver.resolve('192.0.2.1')).rejects.toThrow(TypeError)
    expect(dns.questions).toEqual([])
  })
})

describe('resolver: options', () => {
  it('rejects bad DNS servers and timeouts at construction', () => {
    expect(() => createResolver({ servers: ['not-an-ip'] })).toThrow()
    expect(() => createResolver({ timeoutMs: 0 })).toThrow(RangeError)
    expect(() => createResolver({ servers: ['127.0.0.53:5300', '[::1]:5300'], timeoutMs: 100 })).not.toThrow()
  })
})
