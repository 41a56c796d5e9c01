import { describe, expect, it } from 'vitest'
import {
  bareKey,
  domainOfAddress,
  isValidLocalpart,
  normalizeDomain,
  parseAddress,
} from '../src/domain-name.js'

describe('normalizeDomain', () => {
  it('gives lower-case A-labels without the root dot', () => {
    expect(normalizeDomain('Bücher.Example.')).toBe('xn--bcher-kva.example')
    expect(normalizeDomain('IM.Partner.Example')).toBe('im.partner.example')
    expect(normalizeDomain('_xmpp.example')).toBe('_xmpp.example')
  })

  it.each([
    ['', 'empty'],
    ['.', 'root only'],
    ['a..example', 'empty label'],
    ['a.example/evil', 'a path domainToASCII would cut off'],
    ['a%41.example', 'a percent escape domainToASCII would decode'],
    ['a.example:5269', 'a port'],
    ['a example', 'a space'],
    ['a\u0000.example', 'a control character'],
    ['192.0.2.1', 'an IPv4 literal'],
    ['[::1]', 'an IPv6 literal'],
    ['-a.example', 'a label starting with a hyphen'],
    [`${'a'.repeat(64)}.example`, 'a label over 63 octets'],
    ['*.example', 'a wildcard'],
    ['user@example', 'a JID'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizeDomain(input)).toBeUndefined()
  })
})

describe('parseAddress', () => {
  it('splits full, bare and domain addresses', () => {
    expect(parseAddress('Alice@Corp.Example/phone')).toEqual({
      local: 'Alice',
      domain: 'corp.example',
      resource: 'phone',
    })
    expect(parseAddress('corp.example')).toEqual({
      local: undefined,
      domain: 'corp.example',
      resource: undefined,
    })
    // The resource may contain '@' and '/': only the first '/' splits (RFC 7622 §3.1).
    expect(parseAddress('a@corp.example/x@y/z')?.resource).toBe('x@y/z')
  })

  it('refuses a@b@c, empty parts and forbidden localpart characters', () => {
    expect(parseAddress('a@b@corp.example')).toBeUndefined()
    expect(parseAddress('@corp.example')).toBeUndefined()
    expect(parseAddress('a@corp.example/')).toBeUndefined()
    expect(parseAddress("o'brien@corp.example")).toBeUndefined()
    expect(isValidLocalpart('o.brien+tag')).toBe(true)
  })

  it('builds the lookup key with a lower-cased localpart', () => {
    expect(bareKey(parseAddress('Alice@CORP.example/r')!)).toBe('alice@corp.example')
    expect(domainOfAddress('bob@IM.Partner.Example/x')).toBe('im.partner.example')
  })
})
