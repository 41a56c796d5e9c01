import fc from 'fast-check'
import { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import { serializedBytes } from '../src/stanza-size.js'

// Pieces that change the byte count: markup and quotes (escaped), tab/LF/CR, two-, three- and
// four-byte characters, surrogate halves alone (written as U+FFFD), and plain ASCII.
const piece = fc.oneof(
  fc.constantFrom(
    '&',
    '<',
    '>',
    '"',
    "'",
    '\t',
    '\n',
    '\r',
    'é',
    '中',
    '\ud83d\ude00',
    '\ud83d',
    '\ude00',
    ']]>',
  ),
  fc.string({ maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
)
const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''))
const name = fc.constantFrom('message', 'body', 'x', 'db:result', 'é-name')

const tree: fc.Arbitrary<Element> = fc.letrec<{ element: Element }>((tie) => ({
  element: fc
    .record({
      name,
      attrs: fc.dictionary(
        fc.constantFrom('to', 'from', 'id', 'xmlns', 'type'),
        fc.oneof(text, fc.integer()),
        {
          maxKeys: 3,
        },
      ),
      children: fc.array(fc.oneof({ depthSize: 'small' }, text, fc.integer(), tie('element')), {
        maxLength: 4,
      }),
    })
    .map(({ name, attrs, children }) => {
      const el = new Element(name, attrs)
      for (const child of children) {
        if (child instanceof Element) el.cnode(child)
        else el.children.push(child as unknown as string)
      }
      return el
    }),
})).element

describe('serializedBytes', () => {
  it('is the UTF-8 length of what ltx writes, for any tree', () => {
    fc.assert(
      fc.property(tree, (el) => {
        expect(serializedBytes(el)).toBe(Buffer.byteLength(el.toString()))
      }),
      { numRuns: 5000 },
    )
  })

  it('skips null and undefined attributes and children, as ltx does', () => {
    const el = new Element('message', { to: 'a@b.test', id: undefined as unknown as string })
    el.children.push(null as unknown as string, 'hi & bye')
    expect(serializedBytes(el)).toBe(Buffer.byteLength(el.toString()))
  })

  it('counts a surrogate pair split between two text children as the one character ltx writes', () => {
    const el = new Element('body')
    el.children.push('a\ud83d', null as unknown as string, '\ude00b', '\ud83d')
    el.cnode(new Element('x'))
    el.children.push('\ude00')
    expect(serializedBytes(el)).toBe(Buffer.byteLength(el.toString()))
  })

  it('walks a very deep tree without overflowing the stack', () => {
    const root = new Element('a')
    let current = root
    for (let i = 0; i < 100_000; i++) current = current.c('a')
    expect(serializedBytes(root)).toBe(100_000 * '<a></a>'.length + '<a/>'.length)
  })
})
