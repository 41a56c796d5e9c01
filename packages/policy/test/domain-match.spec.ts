import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createDomainList,
  createDomainTable,
  parseDomainPattern,
  patternMatches,
  specificity,
} from '../src/domain-match.js'

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/)
const labels = (min: number, max: number) => fc.array(label, { minLength: min, maxLength: max })

describe('parseDomainPattern', () => {
  it('reads exact entries and *. wildcards, normalized', () => {
    expect(parseDomainPattern('Example.COM')).toEqual({ kind: 'exact', domain: 'example.com' })
    expect(parseDomainPattern('*.Bücher.example')).toEqual({
      kind: 'wildcard',
      suffix: 'xn--bcher-kva.example',
    })
  })

  it.each(['*', '*.', 'a.*.example.com', '*example.com', '**.example.com', '*.*.example.com', ''])(
    'rejects %j',
    (entry) => {
      expect(parseDomainPattern(entry)).toBeUndefined()
    },
  )
})

describe('wildcard semantics', () => {
  it('*.example.com matches subdomains at any depth but not example.com itself', () => {
    const list = createDomainList(['*.example.com'])
    expect(list.match('a.example.com')).toBe('*.example.com')
    expect(list.match('a.b.example.com')).toBe('*.example.com')
    expect(list.match('example.com')).toBeUndefined()
    expect(list.match('badexample.com')).toBeUndefined()
  })

  it('an exact entry matches only itself', () => {
    const list = createDomainList(['example.com'])
    expect(list.match('EXAMPLE.com.')).toBe('example.com')
    expect(list.match('a.example.com')).toBeUndefined()
  })

  it('a malformed domain never matches, and malformed entries are reported', () => {
    const list = createDomainList(['*.example.com', 'a.*.b', 'example.com'])
    expect(list.match('a.example.com/x')).toBeUndefined()
    expect(list.match('')).toBeUndefined()
    expect(list.malformed).toEqual(['a.*.b'])
  })

  it('property: *.S matches D exactly when D has at least one more label and ends with S', () => {
    fc.assert(
      fc.property(labels(1, 3), labels(0, 3), (suffix, prefix) => {
        const s = suffix.join('.')
        const d = [...prefix, ...suffix].join('.')
        const pattern = parseDomainPattern(`*.${s}`)!
        expect(patternMatches(pattern, d)).toBe(prefix.length > 0)
        expect(createDomainList([`*.${s}`]).match(d) !== undefined).toBe(prefix.length > 0)
      }),
    )
  })

  it('property: table lookup agrees with matching every pattern one by one, most specific first', () => {
    const entry = fc.oneof(
      labels(1, 3).map((l) => l.join('.')),
      labels(1, 3).map((l) => `*.${l.join('.')}`),
    )
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), labels(1, 5), (entries, domainLabels) => {
        const domain = domainLabels.join('.')
        const table = createDomainTable(entries.map((e) => [e, e] as const))
        const found = table.matches(domain)
        const expected = new Set(entries.filter((e) => patternMatches(parseDomainPattern(e)!, domain)))
        expect(new Set(found.flatMap((m) => m.values))).toEqual(expected)
        const order = found.map((m) => specificity(m.pattern))
        expect(order).toEqual([...order].sort((a, b) => b - a))
        expect(new Set(order).size).toBe(order.length)
      }),
    )
  })
})
