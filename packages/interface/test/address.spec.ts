import { describe, expect, it } from 'vitest'
import {
  bareKey,
  canonicalAddress,
  canonicalForm,
  checkDomain,
  domainOfAddress,
  normalizeDomain,
  parseAddress,
} from '../src/index.js'

describe('normalizeDomain', () => {
  it('lower-cases and converts IDNs to A-labels, dropping a trailing dot', () => {
    expect(normalizeDomain('Bücher.Test.')).toBe('xn--bcher-kva.test')
    expect(normalizeDomain('A.TEST')).toBe('a.test')
  })

  it.each([
    ['', 'empty'],
    ['a..test', 'empty label'],
    ['a.test/evil', 'URL path that domainToASCII would drop'],
    ['a.test:5269', 'port'],
    ['a%41.test', 'percent-escape'],
    ['a test', 'space'],
    ['127.0.0.1', 'IP literal'],
    ['[::1]', 'IPv6 literal'],
    ['-a.test', 'label starting with a hyphen'],
    [`${'a'.repeat(64)}.test`, 'label over 63 octets'],
    ['*.a.test', 'wildcard'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizeDomain(input)).toBeUndefined()
  })
})

describe('domainOfAddress', () => {
  it('takes the domainpart of full, bare and domain JIDs', () => {
    expect(domainOfAddress('alice@A.test/phone')).toBe('a.test')
    expect(domainOfAddress('a.test')).toBe('a.test')
    expect(domainOfAddress('a.test/resource@x')).toBe('a.test')
  })

  it('never routes a@b@c or an empty localpart', () => {
    expect(domainOfAddress('a@b@c.test')).toBeUndefined()
    expect(domainOfAddress('@a.test')).toBeUndefined()
    expect(domainOfAddress('')).toBeUndefined()
  })
})

describe('checkDomain', () => {
  it('says what is wrong, in words a person can act on', () => {
    expect(checkDomain('a..test')).toEqual({
      ok: false,
      problem: 'has an empty label (two dots in a row, or a leading dot)',
    })
    expect(checkDomain('a/b')).toEqual({ ok: false, problem: "contains '/'" })
    expect(checkDomain('10.0.0.1')).toEqual({ ok: false, problem: 'is an IP address, not a domain name' })
    expect(checkDomain('1.2.3')).toEqual({
      ok: false,
      problem: 'ends in a numeric label, which no DNS domain does',
    })
  })
})

describe('canonicalAddress', () => {
  it.each([
    ['eve@EVIL.TEST', 'eve@evil.test'],
    ['Eve@evil.test.', 'eve@evil.test'],
    ['ｅｖｅ@ｅｖｉｌ．ｔｅｓｔ', 'eve@evil.test'],
    ['eve@evil。test', 'eve@evil.test'],
    ['EVIL.TEST/Res', 'evil.test/Res'],
    ['eve@evil.test/a\u00a0b', 'eve@evil.test/a b'],
    ['e\u0301ve@evil.test', '\u00e9ve@evil.test'],
  ])('%j is %j', (input, canonical) => {
    expect(canonicalAddress(input)).toBe(canonical)
  })

  it('refuses a full-width character that maps to one a localpart forbids', () => {
    expect(canonicalAddress('a＠b@evil.test')).toBeUndefined()
    expect(domainOfAddress('a＠b@evil.test')).toBeUndefined()
  })
})

describe('canonicalForm', () => {
  // One parse answers all three questions the inbound path asks of an address: each part
  // must be what the separate functions say, for well-formed and malformed inputs alike.
  it.each([
    'eve@EVIL.TEST',
    'Eve@evil.test./Desk',
    'ｅｖｅ@ｅｖｉｌ．ｔｅｓｔ',
    'EVIL.TEST/Res',
    'e\u0301ve@evil.test',
    'a＠b@evil.test',
    'a@b@c.test',
    '@evil.test',
    'evil.test/',
    '',
  ])('%j: the canonical address, its domain and its bare key at once', (input) => {
    const form = canonicalForm(input)
    const parts = parseAddress(input)
    expect(form?.address).toBe(canonicalAddress(input))
    expect(form?.domain).toBe(domainOfAddress(input))
    expect(form?.bare).toBe(parts?.local === undefined ? undefined : bareKey(parts))
    expect(form === undefined).toBe(parts === undefined)
  })

  it('gives the same frozen record for the same address', () => {
    const first = canonicalForm('Bob@D.TEST/r')
    expect(first).toEqual({ address: 'bob@d.test/r', domain: 'd.test', bare: 'bob@d.test' })
    expect(canonicalForm('Bob@D.TEST/r')).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
  })
})
