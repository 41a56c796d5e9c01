import fc from 'fast-check'
import { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { assertSerializable, serialize } from '../src/xml/index.js'

// Strings rich in what escaping and the Char check care about: markup characters, quotes,
// controls, surrogate halves and pairs, U+FFFE/U+FFFF, plain text.
const tricky = fc.constantFrom(
  '&',
  '<',
  '>',
  '"',
  "'",
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u0007',
  '\ud83d',
  '\ude00',
)
const unit = fc.oneof(
  tricky,
  fc.constantFrom('\ud83d\ude00', '\ufffe', '\uffff', 'é', '中'),
  fc.string({ maxLength: 3 }),
)
const text = fc.array(unit, { maxLength: 8 }).map((parts) => parts.join(''))
const name = fc.constantFrom('message', 'body', 'x', 'db:result', 'a-b')

const tree: fc.Arbitrary<Element> = fc.letrec<{ element: Element }>((tie) => ({
  element: fc
    .record({
      name,
      attrs: fc.dictionary(fc.constantFrom('to', 'from', 'id', 'xmlns', 'type'), text, { maxKeys: 3 }),
      children: fc.array(fc.oneof({ depthSize: 'small' }, text, tie('element')), { maxLength: 4 }),
    })
    .map(({ name, attrs, children }) => {
      const el = new Element(name, attrs)
      for (const child of children) {
        if (typeof child === 'string') el.t(child)
        else el.cnode(child)
      }
      return el
    }),
})).element

const validUnit = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', '\ud83d\ude00', 'é', '中', ']]>'),
  fc
    .string({ maxLength: 3 })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
    .filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/.test(s)),
)

describe('serialize (one pass: check and escape)', () => {
  it('writes valid trees exactly as ltx does', () => {
    const validTree = tree.filter((el) => {
      try {
        assertSerializable(el)
        return true
      } catch {
        return false
      }
    })
    fc.assert(
      fc.property(
        fc.oneof(
          validTree,
          fc.array(validUnit).map((parts) => new Element('body', { v: parts.join('') }).t(parts.join(''))),
        ),
        (el) => {
          expect(serialize(el)).toBe(el.toString())
        },
      ),
      { numRuns: 500 },
    )
  })

  it('writes exactly what ltx writes, and throws exactly when assertSerializable does', () => {
    fc.assert(
      fc.property(tree, (el) => {
        let valid = true
        try {
          assertSerializable(el)
        } catch {
          valid = false
        }
        if (valid) expect(serialize(el)).toBe(el.toString())
        else expect(() => serialize(el)).toThrow(/is not an XML character/)
      }),
      { numRuns: 2000 },
    )
  })
})
