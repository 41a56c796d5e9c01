import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { isXmlChar, XmlStreamParser } from '../src/xml/index.js'

// The parser's scanning loops skip runs of ordinary characters quickly (a regular expression for
// text, tables for the rest): this sweep pins what they accept to XML 1.0 §2.2 Char, for every
// UTF-16 unit the decoder can produce, in each place a character can stand, cut or not.

const HEADER = "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"

/** The one element `chunks` (after the header) give, or the error condition. */
function outcome(chunks: string[]): Element | string {
  let result: Element | string = 'nothing'
  const parser = new XmlStreamParser({
    onStreamStart: () => {},
    onElement: (el) => {
      result = el
    },
    onStreamEnd: () => {},
    onError: (err) => {
      result = err.condition
    },
  })
  parser.write(Buffer.from(HEADER))
  for (const chunk of chunks) parser.write(Buffer.from(chunk))
  return result
}

/** Every BMP character but the surrogates (the decoder only gives those in pairs), one astral. */
function* characters(): Generator<string> {
  for (let c = 0; c <= 0xffff; c++) if (c < 0xd800 || c > 0xdfff) yield String.fromCharCode(c)
  yield '😀'
}

describe('characters the parser accepts', () => {
  it('in text: exactly the XML characters, CR normalised, whole or at a chunk edge', () => {
    const wrong: string[] = []
    for (const c of characters()) {
      if (c === '<' || c === '&') continue // markup
      const code = c.codePointAt(0)!
      const expected = c === '\r' ? '\n' : c
      for (const chunks of [[`<m>a${c}b</m>`], ['<m>a', `${c}b</m>`], [`<m>a${c}`, 'b</m>']]) {
        const got = outcome(chunks)
        const ok = typeof got !== 'string' && got.getText() === `a${expected}b`
        const rejected = got === 'not-well-formed'
        if (isXmlChar(code) ? !ok : !rejected) wrong.push(`U+${code.toString(16)} ${chunks.length}`)
      }
    }
    expect(wrong.slice(0, 10)).toEqual([])
  })

  it('in attribute values: exactly the XML characters, whitespace normalised', () => {
    const wrong: string[] = []
    for (const c of characters()) {
      if (c === '<' || c === '&' || c === "'") continue // markup, the quote
      const code = c.codePointAt(0)!
      const expected = c === '\r' || c === '\n' || c === '\t' ? ' ' : c
      for (const chunks of [[`<m v='a${c}b'/>`], ["<m v='a", `${c}b'/>`]]) {
        const got = outcome(chunks)
        const ok = typeof got !== 'string' && got.attrs.v === `a${expected}b`
        const rejected = got === 'not-well-formed'
        if (isXmlChar(code) ? !ok : !rejected) wrong.push(`U+${code.toString(16)} ${chunks.length}`)
      }
    }
    expect(wrong.slice(0, 10)).toEqual([])
  })

  it('in CDATA sections: exactly the XML characters', () => {
    const wrong: string[] = []
    for (const c of characters()) {
      const code = c.codePointAt(0)!
      const expected = c === '\r' ? '\n' : c
      const got = outcome([`<m><![CDATA[a${c}b]]></m>`])
      const ok = typeof got !== 'string' && got.getText() === `a${expected}b`
      const rejected = got === 'not-well-formed'
      if (isXmlChar(code) ? !ok : !rejected) wrong.push(`U+${code.toString(16)}`)
    }
    expect(wrong.slice(0, 10)).toEqual([])
  })
})
