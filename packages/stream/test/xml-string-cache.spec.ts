import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { XmlStreamParser } from '../src/xml/index.js'
import { StringCache } from '../src/xml/string-cache.js'

describe('StringCache', () => {
  it('finds a string it was given, at any position, and only that string', () => {
    const cache = new StringCache(8, 20)
    const own = cache.add('xx<message ', 3, 10, 7)
    expect(own).toBe('message')
    const slot = cache.find('<message from', 1, 8)
    expect(slot).not.toBe(-1)
    expect(cache.stringIn(slot)).toBe('message')
    expect(cache.tagIn(slot)).toBe(7)
    // Same length, same first, middle and last characters: same slot, different string.
    expect(cache.find('mesXage', 0, 7)).toBe(-1)
    expect(cache.find('messag', 0, 6)).toBe(-1)
    expect(cache.find('', 0, 0)).toBe(-1)
  })

  it('keeps at most one string per slot and nothing longer than its limit', () => {
    const cache = new StringCache(1, 20)
    cache.add('first', 0, 5, 0)
    cache.add('second', 0, 6, 0)
    expect(cache.find('first', 0, 5)).toBe(-1)
    expect(cache.find('second', 0, 6)).toBe(0)
    const long = 'a'.repeat(21)
    expect(cache.add(long, 0, 21, 0)).toBe(long)
    expect(cache.find(long, 0, 21)).toBe(-1)
    expect(cache.find('second', 0, 6)).toBe(0)
  })

  it('hands out copies equal to the text, long or short', () => {
    const cache = new StringCache(64, 64)
    const chunk = `<m to='${'x'.repeat(40)}@example.org'/>`
    const value = cache.add(chunk, 7, 7 + 52, 0)
    expect(value).toBe(`${'x'.repeat(40)}@example.org`)
    expect(cache.stringIn(cache.find(chunk, 7, 59))).toBe(value)
  })
})

describe('the parser with its name cache', () => {
  const HEADER = "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"

  function parse(body: string): { elements: Element[]; errors: string[] } {
    const elements: Element[] = []
    const errors: string[] = []
    const parser = new XmlStreamParser({
      onStreamStart: () => {},
      onElement: (el) => elements.push(el),
      onStreamEnd: () => {},
      onError: (err) => errors.push(err.message),
    })
    parser.write(Buffer.from(HEADER + body))
    return { elements, errors }
  }

  it('reads names right while a flood of new ones evicts the cached ones', () => {
    const names = Array.from({ length: 3000 }, (_, k) => `n${k.toString(36)}`)
    const body = names.map((name, k) => `<${name} ${name}='${k}'><body/></${name}>`).join('')
    const { elements, errors } = parse(body + body)
    expect(errors).toEqual([])
    expect(elements).toHaveLength(6000)
    for (const [k, el] of elements.entries()) {
      const name = names[k % 3000]!
      expect(el.name).toBe(name)
      expect(el.attrs[name]).toBe(String(k % 3000))
      expect(el.getChild('body')).toBeDefined()
    }
  })

  it('still checks a name that looks like a cached one', () => {
    expect(parse('<message/>').errors).toEqual([])
    // Same length, first, middle and last character as 'message': the cache cannot take it for it.
    expect(parse('<me-sage/>').errors).toEqual([])
    expect(parse('<m:ssage/>').errors).toEqual(["not-well-formed: unbound namespace prefix 'm'"])
    expect(parse('<message a:b:c="1"/>').errors).toEqual(["not-well-formed: invalid attribute name 'a:b:c'"])
    expect(parse('<message a:b:c="1"/>').errors).toEqual(["not-well-formed: invalid attribute name 'a:b:c'"])
  })
})
