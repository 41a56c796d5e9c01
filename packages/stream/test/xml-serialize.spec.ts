import { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import {
  assertSerializable,
  findInvalidXmlChar,
  InvalidXmlCharError,
  isXmlChar,
  serialize,
} from '../src/xml/index.js'

describe('isXmlChar (XML 1.0 §2.2)', () => {
  it('accepts tab, LF, CR and the allowed ranges at their edges', () => {
    for (const cp of [0x9, 0xa, 0xd, 0x20, 0x7f, 0xd7ff, 0xe000, 0xfffd, 0x10000, 0x10ffff]) {
      expect(isXmlChar(cp), cp.toString(16)).toBe(true)
    }
  })

  it('rejects other controls, surrogates, U+FFFE/U+FFFF and beyond U+10FFFF', () => {
    for (const cp of [0x0, 0x1, 0x8, 0xb, 0xc, 0xe, 0x1f, 0xd800, 0xdfff, 0xfffe, 0xffff, 0x110000, -1]) {
      expect(isXmlChar(cp), cp.toString(16)).toBe(false)
    }
  })
})

describe('findInvalidXmlChar', () => {
  it('returns -1 for valid text, including astral characters and whitespace', () => {
    expect(findInvalidXmlChar('')).toBe(-1)
    expect(findInvalidXmlChar('hello, wörld 中文 😀\t\r\n\u007f\ufffd')).toBe(-1)
  })

  it('returns the index of the first forbidden control character', () => {
    for (let c = 0; c < 0x20; c++) {
      const allowed = c === 0x9 || c === 0xa || c === 0xd
      expect(findInvalidXmlChar(`abc${String.fromCharCode(c)}x`), c.toString(16)).toBe(allowed ? -1 : 3)
      expect(findInvalidXmlChar(`abc${String.fromCharCode(c)}x\u0001`), c.toString(16)).toBe(allowed ? 5 : 3)
    }
  })

  it('finds U+FFFE and U+FFFF', () => {
    expect(findInvalidXmlChar('ab\ufffe')).toBe(2)
    expect(findInvalidXmlChar('\uffff')).toBe(0)
  })

  it('finds lone and reversed surrogates but not pairs', () => {
    expect(findInvalidXmlChar('a\ud83d')).toBe(1) // high at the end
    expect(findInvalidXmlChar('a\ud83dx')).toBe(1) // high before a non-surrogate
    expect(findInvalidXmlChar('ab\ude00')).toBe(2) // low alone
    expect(findInvalidXmlChar('\ude00\ud83d')).toBe(0) // reversed
    expect(findInvalidXmlChar('\ud83d\ud83d\ude00')).toBe(0) // high, then a pair
    expect(findInvalidXmlChar('\ud83d\ude00\ud83d\ude00')).toBe(-1)
  })
})

describe('assertSerializable and serialize', () => {
  const message = () =>
    new Element('message', { to: 'romeo@b.example', from: 'juliet@a.example', xmlns: 'jabber:server' })
      .c('body')
      .t('hi <there> & 😀')
      .up()

  it('serializes valid elements exactly as ltx does', () => {
    const el = message()
    expect(() => assertSerializable(el)).not.toThrow()
    expect(serialize(el)).toBe(el.toString())
  })

  it('rejects a control character in text, naming the code point and the element', () => {
    const el = message()
    el.getChild('body')!.t('bell \u0007')
    const err = (() => {
      try {
        serialize(el)
      } catch (e) {
        return e
      }
    })() as InvalidXmlCharError
    expect(err).toBeInstanceOf(InvalidXmlCharError)
    expect(err.name).toBe('InvalidXmlCharError')
    expect(err.codePoint).toBe(7)
    expect(err.location).toBe('text of <body>')
    expect(err.message).toContain('U+0007')
  })

  it('rejects a control character in an attribute value or name', () => {
    const inValue = message()
    inValue.attrs.id = 'a\u0000b'
    expect(() => serialize(inValue)).toThrow(/attribute 'id' of <message>/)
    const inName = message()
    inName.attrs['i\u0001d'] = 'x'
    expect(() => assertSerializable(inName)).toThrow(InvalidXmlCharError)
  })

  it('rejects lone surrogates and U+FFFE deep in the tree', () => {
    const lone = message()
    lone.getChild('body')!.c('x').c('y').t('half \ud83d')
    expect(() => serialize(lone)).toThrow(InvalidXmlCharError)
    const nonChar = message()
    nonChar.getChild('body')!.c('x', { v: '\ufffe' })
    expect(() => serialize(nonChar)).toThrow(/U\+FFFE/)
  })

  it('accepts non-string attribute values and skips null ones, as ltx does', () => {
    const el = new Element('iq', { id: 42, type: null, to: undefined })
    expect(serialize(el)).toBe('<iq id="42"/>')
  })

  it('walks a very deep tree without overflowing the stack', () => {
    const root = new Element('root')
    let current = root
    for (let k = 0; k < 100_000; k++) current = current.c('a')
    current.t('\u0002')
    expect(() => assertSerializable(root)).toThrow(InvalidXmlCharError)
  })
})
