import { X509Certificate } from 'node:crypto'
import { createTestCA, type IssueOptions, type TestCA } from '@xmpp-federation/testing'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { certificateIdentities, certificateNamesDomain, dnsIdMatchesDomain } from '../src/tls/index.js'

let ca: TestCA

beforeAll(async () => {
  ca = await createTestCA({ name: 'Identity Spec CA' })
})

async function certificate(options: IssueOptions): Promise<X509Certificate> {
  return new X509Certificate((await ca.issue(options)).certPem)
}

describe('certificateIdentities', () => {
  it('reads DNS-IDs, SRV-IDs and XmppAddrs from subjectAltName', async () => {
    const cert = await certificate({
      commonName: 'cn.test',
      dnsNames: ['a.test', '*.a.test'],
      srvNames: ['_xmpp-server.a.test', '_xmpps-server.a.test'],
      xmppAddrs: ['a.test', 'bücher.test'],
    })
    expect(certificateIdentities(cert)).toEqual({
      dnsNames: ['a.test', '*.a.test'],
      srvNames: ['_xmpp-server.a.test', '_xmpps-server.a.test'],
      xmppAddrs: ['a.test', 'bücher.test'],
    })
  })

  it('unquotes the entries node prints as JSON strings', async () => {
    const cert = await certificate({
      dnsNames: ['x,y.test', 'q"z.test', 'a.test'],
      srvNames: ['_xmpp-server.c,d.test'],
      xmppAddrs: ['tab\tz', 'b.test'],
    })
    expect(certificateIdentities(cert)).toEqual({
      dnsNames: ['x,y.test', 'q"z.test', 'a.test'],
      srvNames: ['_xmpp-server.c,d.test'],
      xmppAddrs: ['tab\tz', 'b.test'],
    })
  })

  it('never reports the subject CN', async () => {
    const cert = await certificate({ commonName: 'a.test', dnsNames: [] })
    expect(certificateIdentities(cert)).toEqual({ dnsNames: [], srvNames: [], xmppAddrs: [] })
  })
})

describe('certificateNamesDomain: DNS-ID', () => {
  it('matches the exact domain and nothing near it', async () => {
    const cert = await certificate({ dnsNames: ['a.test'] })
    expect(certificateNamesDomain(cert, 'a.test')).toBe(true)
    for (const other of ['b.test', 'x.a.test', 'test', 'aa.test', 'a.test.evil']) {
      expect(certificateNamesDomain(cert, other), other).toBe(false)
    }
  })

  it('compares case-insensitively on both sides', async () => {
    expect(certificateNamesDomain(await certificate({ dnsNames: ['A.Test'] }), 'a.test')).toBe(true)
    expect(certificateNamesDomain(await certificate({ dnsNames: ['a.test'] }), 'A.TEST')).toBe(true)
  })

  it('ignores one trailing dot on either side', async () => {
    expect(certificateNamesDomain(await certificate({ dnsNames: ['a.test'] }), 'a.test.')).toBe(true)
    expect(certificateNamesDomain(await certificate({ dnsNames: ['a.test.'] }), 'a.test')).toBe(true)
    expect(certificateNamesDomain(await certificate({ dnsNames: ['a.test'] }), 'a.test..')).toBe(false)
  })

  it('compares an IDN reference in A-label form', async () => {
    const cert = await certificate({ dnsNames: ['xn--bcher-kva.test'] })
    expect(certificateNamesDomain(cert, 'bücher.test')).toBe(true)
    expect(certificateNamesDomain(cert, 'BÜCHER.test')).toBe(true)
    expect(certificateNamesDomain(cert, 'xn--bcher-kva.test')).toBe(true)
    expect(certificateNamesDomain(cert, 'bucher.test')).toBe(false)
  })

  it('matches a wildcard certificate for one label below it', async () => {
    const cert = await certificate({ dnsNames: ['*.a.test'] })
    expect(certificateNamesDomain(cert, 'x.a.test')).toBe(true)
    expect(certificateNamesDomain(cert, 'a.test')).toBe(false)
    expect(certificateNamesDomain(cert, 'x.y.a.test')).toBe(false)
  })
})

describe('dnsIdMatchesDomain: RFC 9525 §6.3 wildcards', () => {
  const matches: [string, string][] = [
    ['*.a.test', 'x.a.test'],
    ['*.a.test', 'X.A.TEST'],
    ['*.A.TEST', 'x.a.test'],
    ['*.a.test', 'xn--bcher-kva.a.test'], // a whole-label wildcard may stand for an A-label
    ['*.a.test', 'bücher.a.test'],
    ['*.xn--bcher-kva.test', 'x.bücher.test'],
    ['*.a.test.', 'x.a.test'],
  ]
  it.each(matches)('%s matches %s', (presented, domain) => {
    expect(dnsIdMatchesDomain(presented, domain)).toBe(true)
  })

  const refusals: [string, string, string][] = [
    ['*.a.test', 'a.test', 'matches no label at all'],
    ['*.a.test', 'x.y.a.test', 'matches two labels'],
    ['*.a.test', '.a.test', 'empty label'],
    ['*.a.test', '*.a.test', 'a wildcard reference is malformed'],
    ['x*.a.test', 'xy.a.test', 'partial wildcard, prefix'],
    ['*x.a.test', 'yx.a.test', 'partial wildcard, suffix'],
    ['f*o.a.test', 'foo.a.test', 'partial wildcard, infix'],
    ['xn--*.a.test', 'xn--bcher-kva.a.test', 'wildcard inside an A-label'],
    ['**.a.test', 'xy.a.test', 'two wildcard characters'],
    ['*.*.a.test', 'x.y.a.test', 'two wildcard labels'],
    ['x.*.a.test', 'x.y.a.test', 'wildcard in a later label'],
    ['a.test.*', 'a.test.x', 'wildcard in the last label'],
    ['*.test', 'a.test', 'fewer than two labels under the wildcard'],
    ['*.com', 'example.com', 'fewer than two labels under the wildcard'],
    ['*', 'a', 'a lone wildcard'],
    ['*.', 'a', 'a lone wildcard with the root'],
    ['*.a.test', 'x.b.test', 'another parent'],
    ['\u212a.test', 'k.test', 'no Unicode case folding of presented names (Kelvin sign)'],
    ['a.test', 'a.test\u0000', 'control character in the reference'],
  ]
  it.each(refusals)('%s does not match %s (%s)', (presented, domain) => {
    expect(dnsIdMatchesDomain(presented, domain)).toBe(false)
  })

  // Labels from an alphabet that cannot spell an `xn--` prefix, so every generated label is
  // plain LDH and the oracle below is exactly "one RFC 1035 label".
  const label = fc
    .stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/)
    .filter((text) => !text.startsWith('xn--'))
  // A final all-digit label would make the whole name read as an IPv4 address.
  const rest = fc
    .array(label, { minLength: 2, maxLength: 4 })
    .map((labels) => labels.join('.'))
    .filter((base) => !/(^|\.)[0-9]+$/.test(base))
  const candidate = fc.string({ unit: fc.constantFrom('a', 'B', '7', '-', '.', '*', '_'), maxLength: 8 })
  const isOneLabel = (text: string) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(text)

  it('*.rest matches x.rest if and only if x is one non-empty label (property)', () => {
    fc.assert(
      fc.property(rest, candidate, (base, x) => {
        expect(dnsIdMatchesDomain(`*.${base}`, `${x}.${base}`)).toBe(isOneLabel(x))
      }),
      { numRuns: 500 },
    )
  })

  it('*.rest never matches rest itself nor two labels below it (property)', () => {
    fc.assert(
      fc.property(rest, label, label, (base, x, y) => {
        expect(dnsIdMatchesDomain(`*.${base}`, base)).toBe(false)
        expect(dnsIdMatchesDomain(`*.${base}`, `${x}.${y}.${base}`)).toBe(false)
      }),
    )
  })

  it('a * anywhere but as the whole left-most label never matches (property)', () => {
    const labels = fc.array(label, { minLength: 3, maxLength: 5 })
    fc.assert(
      fc.property(labels, fc.nat(), fc.nat(), (parts, which, offset) => {
        const index = which % parts.length
        const target = parts[index]!
        const at = offset % (target.length + 1)
        const wildcard = `${target.slice(0, at)}*${target.slice(at)}`
        fc.pre(index !== 0 || wildcard !== '*') // skip the one valid shape
        const presented = parts.map((part, i) => (i === index ? wildcard : part)).join('.')
        // The reference is what a permissive matcher would let the * stand for: the label itself.
        expect(dnsIdMatchesDomain(presented, parts.join('.'))).toBe(false)
      }),
    )
  })
})

describe('certificateNamesDomain: SRV-ID', () => {
  it('accepts both s2s services for the domain', async () => {
    expect(certificateNamesDomain(await certificate({ srvNames: ['_xmpp-server.a.test'] }), 'a.test')).toBe(
      true,
    )
    expect(certificateNamesDomain(await certificate({ srvNames: ['_xmpps-server.a.test'] }), 'a.test')).toBe(
      true,
    )
  })

  it('compares service and domain case-insensitively, the reference as an A-label', async () => {
    expect(certificateNamesDomain(await certificate({ srvNames: ['_XMPP-Server.A.test'] }), 'a.test')).toBe(
      true,
    )
    const idn = await certificate({ srvNames: ['_xmpp-server.xn--bcher-kva.test'] })
    expect(certificateNamesDomain(idn, 'bücher.test')).toBe(true)
  })

  it('refuses other services, other domains and wildcards', async () => {
    const cert = await certificate({
      srvNames: ['_xmpp-client.a.test', '_imaps.a.test', '_xmpp-server.*.b.test', '_xmpp-server.c.test'],
    })
    expect(certificateNamesDomain(cert, 'a.test')).toBe(false)
    expect(certificateNamesDomain(cert, 'x.b.test')).toBe(false)
    expect(certificateNamesDomain(cert, 'x.c.test')).toBe(false)
    expect(certificateNamesDomain(cert, 'test')).toBe(false)
    expect(certificateNamesDomain(cert, 'c.test')).toBe(true)
  })
})

describe('certificateNamesDomain: XmppAddr', () => {
  it('matches a bare-domain XmppAddr, also in U-label form', async () => {
    expect(certificateNamesDomain(await certificate({ xmppAddrs: ['a.test'] }), 'a.test')).toBe(true)
    expect(certificateNamesDomain(await certificate({ xmppAddrs: ['A.Test'] }), 'a.test')).toBe(true)
    const idn = await certificate({ xmppAddrs: ['bücher.test'] })
    expect(certificateNamesDomain(idn, 'xn--bcher-kva.test')).toBe(true)
    expect(certificateNamesDomain(idn, 'bücher.test')).toBe(true)
  })

  it('refuses full JIDs and wildcards', async () => {
    const cert = await certificate({ xmppAddrs: ['user@a.test', 'a.test/resource', '*.b.test'] })
    expect(certificateNamesDomain(cert, 'a.test')).toBe(false)
    expect(certificateNamesDomain(cert, 'x.b.test')).toBe(false)
  })
})

describe('certificateNamesDomain: what never matches', () => {
  it('a certificate naming the domain only in its CN', async () => {
    const cert = await certificate({ commonName: 'a.test', dnsNames: [] })
    expect(cert.subject).toBe('CN=a.test')
    expect(certificateNamesDomain(cert, 'a.test')).toBe(false)
  })

  it('a certificate for another name, whatever its CN says', async () => {
    const cert = await certificate({
      commonName: 'a.test',
      dnsNames: ['b.test'],
      srvNames: ['_xmpp-server.b.test'],
    })
    expect(certificateNamesDomain(cert, 'a.test')).toBe(false)
  })

  it('an empty, IP-literal or malformed reference domain', async () => {
    const cert = await certificate({
      dnsNames: ['a.test', '127.0.0.1', '*.a.test', 'aa.test'],
      xmppAddrs: ['127.0.0.1'],
    })
    const references = [
      '',
      '.',
      '127.0.0.1',
      '0x7f.1',
      '::1',
      '[::1]',
      'a..test',
      'a test',
      'a%2etest',
      'a%61.test',
    ]
    const urlish = ['a.test:5269', 'user@a.test', 'a.test/r', 'a.test?r', 'a.test#r', 'a.test\\r', 'a.test r']
    for (const reference of [...references, ...urlish, '*.a.test', '-a.test', 'a-.test', 'a_b.test']) {
      expect(certificateNamesDomain(cert, reference), JSON.stringify(reference)).toBe(false)
    }
  })
})
