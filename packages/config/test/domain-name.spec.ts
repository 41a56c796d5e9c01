import { describe, expect, it } from 'vitest'
import { checkDomainName, checkDomainPattern, normaliseDomainName } from '../src/index.js'

describe('domain names', () => {
  it.each([
    ['C.Test', 'c.test'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['example.com.', 'example.com'],
    ['ＥＸＡＭＰＬＥ.com', 'example.com'],
    ['_xmpp.example.com', '_xmpp.example.com'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normaliseDomainName(input)).toBe(expected)
  })

  it.each([
    ['', 'is empty'],
    ['a b.test', "contains ' '"],
    ['a/b', "contains '/'"],
    ['user@a.test', "contains '@'"],
    ['a.test:5269', "contains ':'"],
    ['a..test', 'empty label'],
    ['-a.test', 'invalid label'],
    ['127.0.0.1', 'IP address'],
    ['a.123', 'IDNA'],
    [`${'a'.repeat(64)}.test`, 'longer than 63'],
    ['*.a.test', "contains '*'"],
  ])('rejects %j (%s)', (input, problem) => {
    const result = checkDomainName(input)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.problem).toContain(problem)
  })

  it('accepts a leading wildcard label in patterns only', () => {
    expect(checkDomainPattern('*.Example.COM')).toEqual({ ok: true, value: '*.example.com' })
    expect(checkDomainPattern('a.*.example.com').ok).toBe(false)
    expect(checkDomainPattern('*').ok).toBe(false)
    expect(checkDomainPattern('*example.com').ok).toBe(false)
  })
})
