import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareVersions, parseVersion } from '../src/version.js'

describe('parseVersion', () => {
  it.each([
    ['8.6.4.10000-2', ['8', '6', '4', '10000']],
    ['7.x', ['7']],
    ['0.12.4', ['0', '12', '4']],
    ['v1.2rc3.4', ['1', '2']],
    ['10.0(1)', ['10', '0']],
    ['007.01', ['7', '1']],
    ['  23.01 ', ['23', '1']],
  ])('%j -> %j', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected)
  })

  it.each(['', 'unknown', '.5', undefined])('%j has no version', (text) => {
    expect(parseVersion(text)).toBeUndefined()
  })
})

describe('compareVersions', () => {
  it('compares numerically per component, missing components as 0', () => {
    expect(compareVersions('7.10', '7.9')).toBeGreaterThan(0)
    expect(compareVersions('8', '8.0.0')).toBe(0)
    expect(compareVersions('7.9.99', '8')).toBeLessThan(0)
    expect(compareVersions('8.6.4.10000-2', '8.6.4.10000')).toBe(0)
    expect(compareVersions('123456789012345678901', '123456789012345678900')).toBeGreaterThan(0)
  })

  it('puts unparseable versions first', () => {
    expect(compareVersions('unknown', '0')).toBeLessThan(0)
    expect(compareVersions('x', undefined)).toBe(0)
  })

  const components = fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 5 })
  const suffix = fc.constantFrom('', '-2', 'rc1', '.x', ' (build 7)', 'a')

  it('property: consistent with numeric comparison of the components, suffixes ignored', () => {
    const numeric = (a: number[], b: number[]) => {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0)
        if (d !== 0) return Math.sign(d)
      }
      return 0
    }
    fc.assert(
      fc.property(components, components, suffix, suffix, (a, b, sa, sb) => {
        expect(Math.sign(compareVersions(a.join('.') + sa, b.join('.') + sb))).toBe(numeric(a, b))
      }),
    )
  })

  const anyVersion = fc.oneof(
    fc.tuple(components, suffix).map(([c, s]) => c.join('.') + s),
    fc.string({ maxLength: 6 }),
  )

  it('property: a total order (reflexive, antisymmetric, transitive) over all strings', () => {
    fc.assert(
      fc.property(anyVersion, anyVersion, anyVersion, (a, b, c) => {
        expect(compareVersions(a, a)).toBe(0)
        expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)) || 0)
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0)
          expect(compareVersions(a, c)).toBeLessThanOrEqual(0)
      }),
    )
  })
})
