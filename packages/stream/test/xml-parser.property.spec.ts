import fc from 'fast-check'
import { Element, equal } from 'ltx'
import { describe, expect, it } from 'vitest'
import { assertSerializable, serialize, XmlStreamParser } from '../src/xml/index.js'

const HEADER =
  "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'" +
  " xmlns:db='jabber:server:dialback' version='1.0'>"

type Event = ['element', string] | ['error', string] | ['start', string] | ['end']

/** Feeds `bytes` cut at `cuts`; returns what came out. Asserts that no write throws. */
function run(bytes: Uint8Array, cuts: number[] = []): { events: Event[]; elements: Element[] } {
  const events: Event[] = []
  const elements: Element[] = []
  const parser = new XmlStreamParser({
    onStreamStart: (header) => events.push(['start', header.name]),
    onElement: (el) => {
      elements.push(el)
      events.push(['element', el.toString()])
    },
    onStreamEnd: () => events.push(['end']),
    onError: (err) => events.push(['error', err.condition]),
  })
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const to of [...points, bytes.length]) {
    const piece = bytes.subarray(from, to)
    expect(() => parser.write(piece)).not.toThrow()
    from = to
  }
  return { events, elements }
}

/** At most one error, and nothing after it. */
function expectAtMostOneErrorLast(events: Event[]) {
  const errorAt = events.findIndex(([kind]) => kind === 'error')
  if (errorAt !== -1) expect(errorAt).toBe(events.length - 1)
}

// --- random well-formed stanzas ----------------------------------------------------------------

const nameStart = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ_éßжΩ中'.split(''))
const nameRest = fc.constantFrom(...'abcxyz0189-._éжΩ中·'.split(''))
const ncName = fc
  .tuple(nameStart, fc.string({ unit: nameRest, maxLength: 8 }))
  .map(([first, rest]) => first + rest)
  .filter((name) => !/^xml/i.test(name))

// No CR in text and no tab/CR/LF in attribute values: ltx writes them raw and XML 1.0 §2.11 and
// §3.3.3 normalise them on the way back in (covered by the unit tests).
const sharedUnits = ['a', 'b', 'Z', '0', ' ', '<', '>', '&', '"', "'", ']', ';', '#', '=', '/', '?', '!', '-']
const exoticUnits = ['é', 'ж', '中', '\u00a0', '\u007f', '\ufeff', '\ufffd', '😀', '\u{10ffff}']
const textUnit = fc.constantFrom(...sharedUnits, ...exoticUnits, '\n', '\t')
const valueUnit = fc.constantFrom(...sharedUnits, ...exoticUnits)
const text = fc.string({ unit: textUnit, maxLength: 24 })
const attrs = fc.uniqueArray(fc.tuple(ncName, fc.string({ unit: valueUnit, maxLength: 16 })), {
  maxLength: 4,
  selector: ([name]) => name,
})

interface Tree {
  name: string
  attrs: [string, string][]
  children: (Tree | string)[]
}

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.record({
    name: ncName,
    attrs,
    children: fc.array(fc.oneof({ maxDepth: 4 }, text, tie('tree')), { maxLength: 4 }),
  }),
}))

/** An ltx element as the parser should rebuild it: adjacent text merged, empty text dropped. */
function build(node: Tree, top: boolean): Element {
  const el = new Element(node.name, top ? { xmlns: 'jabber:server' } : undefined)
  for (const [name, value] of node.attrs) el.attrs[name] = value
  let run = ''
  for (const child of node.children) {
    if (typeof child === 'string') {
      run += child
      continue
    }
    if (run !== '') el.t(run)
    run = ''
    el.cnode(build(child, false))
  }
  if (run !== '') el.t(run)
  return el
}

const whitespace = fc.string({ unit: fc.constantFrom(' ', '\n', '\t', '\r\n'), maxLength: 3 })

describe('property: well-formed stanzas', () => {
  it('come out equal to what went in, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(tree, whitespace), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (stanzas, cuts) => {
          const originals = stanzas.map(([node]) => build(node, true))
          const body = stanzas.map(([, space], k) => serialize(originals[k]!) + space).join('')
          const bytes = Buffer.from(`${HEADER}${body}</stream:stream>`)
          const { events, elements } = run(bytes, cuts)
          expect(events.filter(([kind]) => kind === 'error')).toEqual([])
          expect(elements.map((el) => el.toString())).toEqual(originals.map((el) => el.toString()))
          elements.forEach((el, k) => {
            expect(equal(el, originals[k]!)).toBe(true)
          })
          expect(events.at(-1)).toEqual(['end'])
        },
      ),
      { numRuns: 300 },
    )
  })
})

// --- hostile input -----------------------------------------------------------------------------

describe('property: arbitrary bytes', () => {
  it('never throw and end in elements or exactly one error', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (withHeader, noise, cuts) => {
          const bytes = withHeader ? Buffer.concat([Buffer.from(HEADER), noise]) : noise
          const { events, elements } = run(bytes, cuts)
          expectAtMostOneErrorLast(events)
          for (const el of elements) expect(() => assertSerializable(el)).not.toThrow()
        },
      ),
      { numRuns: 500 },
    )
  })
})

/** Pieces of XML, good and bad, so random strings reach deep into the grammar. */
const soupToken = fc.constantFrom(
  '<',
  '>',
  '/',
  '</',
  '/>',
  '=',
  ' ',
  '\n',
  '\r',
  '\t',
  '"',
  "'",
  'a',
  'b',
  ':',
  'db:',
  'x:',
  'xmlns',
  "xmlns:x='urn:x'",
  "xmlns='urn:y'",
  '&',
  ';',
  '#',
  '&amp;',
  '&lt;',
  '&#x41;',
  '&#233;',
  '&#0;',
  '&bogus;',
  '!',
  '?',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  ']',
  '<?xml',
  '<!DOCTYPE',
  'é',
  '😀',
  '\u0001',
  '\ufffe',
  '<message>',
  '</message>',
  "<message to='a'>",
  '<body>',
  '</body>',
  '<db:result>',
  '</db:result>',
  '<stream:features/>',
  '</stream:stream>',
)
const tokens = fc.array(soupToken, { maxLength: 40 }).map((list) => list.join(''))
/** Valid stanzas with random tokens inserted and random ranges cut out: near misses. */
const damaged = fc
  .tuple(
    fc.array(fc.tuple(tree, whitespace), { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), soupToken), { maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })), { maxLength: 2 }),
  )
  .map(([stanzas, inserts, cuts]) => {
    let body = stanzas.map(([node, space]) => serialize(build(node, true)) + space).join('')
    for (const [at, token] of inserts) {
      const k = at % (body.length + 1)
      body = body.slice(0, k) + token + body.slice(k)
    }
    for (const [at, length] of cuts) {
      const k = at % (body.length + 1)
      body = body.slice(0, k) + body.slice(k + length)
    }
    return body
  })
const soup = fc.oneof(
  tokens,
  tokens.map((body) => `<message>${body}`),
  tokens.map((body) => `<message><body>${body}</body></message>`),
  damaged,
)

describe('property: XML-like noise after a valid header', () => {
  it('gives the same events however the bytes are cut, and accepted elements round-trip', () => {
    fc.assert(
      fc.property(soup, fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), (body, cuts) => {
        const bytes = Buffer.from(HEADER + body)
        const whole = run(bytes)
        expectAtMostOneErrorLast(whole.events)
        const split = run(bytes, cuts)
        expect(split.events).toEqual(whole.events)
        for (const el of whole.elements) {
          const again = run(Buffer.from(HEADER + serialize(el)))
          expect(again.events.slice(1)).toEqual([['element', el.toString()]])
          expect(equal(again.elements[0]!, el)).toBe(true)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('one byte at a time gives the same events as one chunk', () => {
    fc.assert(
      fc.property(soup, (body) => {
        const bytes = Buffer.from(HEADER + body)
        const everyByte = Array.from({ length: bytes.length }, (_, k) => k)
        expect(run(bytes, everyByte).events).toEqual(run(bytes).events)
      }),
      { numRuns: 300 },
    )
    // 300 inputs fed byte by byte: CPU-bound, seconds on a quiet machine, more on a loaded one.
  }, 30_000)
})
