import { escapeXML, escapeXMLText } from 'ltx'
import { describe, expect, it } from 'vitest'
import { escapeChecked } from '../src/xml/escape.js'

/** What escapeChecked must answer for one UTF-16 unit standing alone: XML 1.0 §2.2, ltx's escaping. */
function expected(unit: number, attribute: boolean, at: number, text: string): string | number {
  const control = unit < 0x20 && unit !== 0x9 && unit !== 0xa && unit !== 0xd
  const lone = unit >= 0xd800 && unit <= 0xdfff
  if (control || lone || unit >= 0xfffe) return -(at + 1)
  return attribute ? escapeXML(text) : escapeXMLText(text)
}

describe('escapeChecked', () => {
  // The quick test before the loop must agree with the loop on every unit, at every boundary
  // of its character classes: each of the 65,536 units, alone and between plain text.
  for (const attribute of [false, true]) {
    it(`answers every BMP unit as the XML Char rule and ltx do (${attribute ? 'attribute' : 'text'})`, () => {
      const wrong: string[] = []
      for (let unit = 0; unit <= 0xffff; unit++) {
        const char = String.fromCharCode(unit)
        for (const [text, at] of [
          [char, 0],
          [`ab${char}cd`, 2],
        ] as const) {
          const got = escapeChecked(text, attribute)
          if (got !== expected(unit, attribute, at, text))
            wrong.push(`U+${unit.toString(16)} in ${JSON.stringify(text)}`)
        }
      }
      expect(wrong).toEqual([])
    })
  }

  it('lets a surrogate pair through and refuses each half alone', () => {
    expect(escapeChecked('a\ud83d\ude00b', false)).toBe('a\ud83d\ude00b')
    expect(escapeChecked('a\ud83d\ude00&', true)).toBe('a\ud83d\ude00&amp;')
    expect(escapeChecked('a\ude00\ud83d', false)).toBe(-2)
    expect(escapeChecked('ok\ud83d', true)).toBe(-3)
  })
})
