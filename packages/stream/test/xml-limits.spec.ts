import type { Element } from 'ltx'
import { describe, expect, it } from 'vitest'
import type { StreamError } from '../src/errors.js'
import { XmlStreamParser, type XmlStreamParserOptions } from '../src/xml/index.js'

const HEADER =
  "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
const KiB = 1024
const MiB = 1024 * KiB

function harness(options?: XmlStreamParserOptions) {
  const elements: Element[] = []
  const errors: StreamError[] = []
  const parser = new XmlStreamParser(
    {
      onStreamStart() {},
      onElement: (el) => elements.push(el),
      onStreamEnd() {},
      onError: (err) => errors.push(err),
    },
    options,
  )
  const write = (data: string | Uint8Array) => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    expect(() => parser.write(bytes)).not.toThrow()
  }
  return { parser, elements, errors, write }
}

function theError(h: { errors: StreamError[] }): StreamError {
  expect(h.errors).toHaveLength(1)
  return h.errors[0]!
}

/** Writes `opening` then `bytes` of 'a' in `chunk`-byte pieces, stopping at the first error. */
function feedToken(h: ReturnType<typeof harness>, opening: string, bytes: number, chunk: number) {
  h.write(HEADER + opening)
  const piece = Buffer.alloc(chunk, 'a')
  let written = 0
  while (written < bytes && h.errors.length === 0) {
    const size = Math.min(chunk, bytes - written)
    h.write(size === chunk ? piece : piece.subarray(0, size))
    written += size
  }
  return written
}

/** Median wall time of `runs` calls, in ms. */
function medianTime(runs: number, fn: () => void): number {
  const times: number[] = []
  for (let k = 0; k < runs; k++) {
    const start = performance.now()
    fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(runs / 2)]!
}

describe('stanza byte budget', () => {
  const stanza = "<message to='é@b.example'><body>héllo 😀</body></message>"
  const size = Buffer.byteLength(stanza)

  it('counts the raw UTF-8 bytes of a top-level element: exactly the limit passes', () => {
    const h = harness({ maxStanzaBytes: size })
    h.write(HEADER + stanza)
    expect(h.errors).toEqual([])
    expect(h.elements).toHaveLength(1)
  })

  it('one byte over the limit is policy-violation, and the element is not emitted', () => {
    const h = harness({ maxStanzaBytes: size - 1 })
    h.write(HEADER + stanza)
    const err = theError(h)
    expect(err.condition).toBe('policy-violation')
    expect(err.text).toContain(String(size - 1))
    expect(h.elements).toEqual([])
  })

  it('applies to each top-level element separately; keepalive whitespace counts toward none', () => {
    const h = harness({ maxStanzaBytes: size })
    h.write(HEADER)
    for (let k = 0; k < 100; k++) h.write(`${' '.repeat(10 * KiB)}${stanza}\n`)
    expect(h.errors).toEqual([])
    expect(h.elements).toHaveLength(100)
  })

  it('fails while the element is still arriving, never buffering more than the limit plus one chunk', () => {
    const limit = 100 * KiB
    const h = harness({ maxStanzaBytes: limit })
    const written = feedToken(h, '<message><body>', 10 * MiB, 16 * KiB)
    expect(theError(h).condition).toBe('policy-violation')
    expect(written).toBeLessThanOrEqual(limit + 16 * KiB)
  })

  it('splits one huge write into slices, so it fails before decoding the rest', () => {
    const h = harness({ maxStanzaBytes: 64 * KiB })
    h.write(HEADER)
    // The invalid byte at the very end would be reported first if the write were decoded whole.
    const huge = Buffer.concat([
      Buffer.from('<message><body>'),
      Buffer.alloc(64 * MiB, 'a'),
      Uint8Array.of(0xff),
    ])
    const took = medianTime(1, () => h.write(huge))
    expect(theError(h).condition).toBe('policy-violation')
    expect(took).toBeLessThan(1000)
  })

  const tokens: [string, string][] = [
    ['an attribute value', "<message to='"],
    ['an element name', '<m'],
    ['an attribute name', '<message a'],
    ['text', '<message><body>'],
    ['a CDATA section', '<message><body><![CDATA['],
    ['an end tag name', '<message></m'],
    ['whitespace inside a tag', '<message '],
  ]
  for (const [what, opening] of tokens) {
    it(`stops an unterminated token in ${what} with policy-violation`, () => {
      const h = harness({ maxStanzaBytes: 256 * KiB })
      const piece = opening.endsWith(' ') ? Buffer.alloc(64 * KiB, ' ') : Buffer.alloc(64 * KiB, 'a')
      h.write(HEADER + opening)
      for (let k = 0; k < 16 && h.errors.length === 0; k++) h.write(piece)
      expect(theError(h).condition).toBe('policy-violation')
    })
  }

  it('stops a 1 MB unterminated token in 64 KiB chunks with policy-violation, quickly', () => {
    const h = harness()
    const start = performance.now()
    const written = feedToken(h, "<message to='", MiB, 64 * KiB)
    const took = performance.now() - start
    const err = theError(h)
    expect(err.condition).toBe('policy-violation')
    expect(err.text).toContain(String(512 * KiB))
    expect(written).toBeLessThanOrEqual(512 * KiB + 64 * KiB)
    expect(took).toBeLessThan(500) // ltx's parser spends ~300 ms on this; we spend a few ms
  })

  it('scans an unterminated token in linear time (1 MB costs about four times 256 KiB)', () => {
    const limits = { maxStanzaBytes: 2 * MiB }
    const feed = (bytes: number, chunk: number) => () => {
      const h = harness(limits)
      feedToken(h, "<message to='", bytes, chunk)
      expect(h.errors).toEqual([])
    }
    for (const chunk of [64 * KiB, KiB]) {
      feed(MiB, chunk)() // warm up
      const quarter = medianTime(5, feed(256 * KiB, chunk))
      const full = medianTime(5, feed(MiB, chunk))
      // Four times the bytes: linear costs ~4x, a re-scan per chunk ~16x. (Doubling would not
      // tell them apart: quadratic plus linear work stays just under 4x.) The 1 ms floor keeps
      // timer noise out of tiny numbers.
      const ratio = full / Math.max(quarter, 1)
      expect(ratio, `chunk ${chunk}: ${quarter.toFixed(1)} ms vs ${full.toFixed(1)} ms`).toBeLessThan(8)
    }
  })
})

describe('depth limit', () => {
  it('accepts nesting up to maxDepth', () => {
    const h = harness({ maxDepth: 8 })
    h.write(`${HEADER}${'<a>'.repeat(8)}${'</a>'.repeat(8)}`)
    expect(h.errors).toEqual([])
    expect(h.elements).toHaveLength(1)
  })

  it('rejects one level more with policy-violation', () => {
    const h = harness({ maxDepth: 8 })
    h.write(`${HEADER}${'<a>'.repeat(9)}`)
    expect(theError(h).condition).toBe('policy-violation')
  })

  it('rejects 10k-deep nesting with policy-violation, without overflowing the stack', () => {
    const h = harness()
    h.write(`${HEADER}${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`)
    const err = theError(h)
    expect(err.condition).toBe('policy-violation')
    expect(err.text).toContain('64')
    expect(h.elements).toEqual([])
  })

  it('counts self-closing elements too', () => {
    const h = harness({ maxDepth: 2 })
    h.write(`${HEADER}<a><b><c/></b></a>`)
    expect(theError(h).condition).toBe('policy-violation')
  })
})

describe('header budget', () => {
  it('rejects a header longer than maxHeaderBytes with policy-violation', () => {
    const h = harness()
    h.write(`<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='${'a'.repeat(8 * KiB)}'>`)
    const err = theError(h)
    expect(err.condition).toBe('policy-violation')
    expect(err.text).toContain(String(8 * KiB))
  })

  it('counts the XML declaration and leading whitespace', () => {
    const declaration = harness({ maxHeaderBytes: 200 })
    declaration.write(`<?xml version='1.0'${' '.repeat(300)}?>`)
    expect(theError(declaration).condition).toBe('policy-violation')
    const whitespace = harness({ maxHeaderBytes: 200 })
    for (let k = 0; k < 10 && whitespace.errors.length === 0; k++) whitespace.write(' '.repeat(100))
    expect(theError(whitespace).condition).toBe('policy-violation')
  })

  it('stops an unterminated header in small chunks', () => {
    const h = harness()
    h.write("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='")
    for (let k = 0; k < 1000 && h.errors.length === 0; k++) h.write('a'.repeat(100))
    expect(theError(h).condition).toBe('policy-violation')
  })

  it('applies again after reset()', () => {
    const h = harness({ maxHeaderBytes: HEADER.length })
    h.write(HEADER)
    h.parser.reset()
    h.write(`${HEADER.slice(0, -1)} id='x'>`)
    expect(theError(h).condition).toBe('policy-violation')
  })
})

describe('attribute limit', () => {
  const attrs = (count: number) => Array.from({ length: count }, (_, k) => ` a${k}='${k}'`).join('')

  it('accepts maxAttributes attributes', () => {
    const h = harness()
    h.write(`${HEADER}<message${attrs(64)}/>`)
    expect(h.errors).toEqual([])
    expect(Object.keys(h.elements[0]!.attrs)).toHaveLength(65) // and the added xmlns
  })

  it('rejects one more with policy-violation', () => {
    const h = harness()
    h.write(`${HEADER}<message${attrs(65)}/>`)
    expect(theError(h).condition).toBe('policy-violation')
  })

  it('counts namespace declarations and applies to the header', () => {
    const h = harness({ maxAttributes: 2 })
    h.write(HEADER)
    expect(theError(h).condition).toBe('policy-violation')
  })
})

describe('options', () => {
  it('refuses limits that are not positive integers', () => {
    const handlers = { onStreamStart() {}, onElement() {}, onStreamEnd() {}, onError() {} }
    expect(() => new XmlStreamParser(handlers, { maxDepth: 0 })).toThrow(RangeError)
    expect(() => new XmlStreamParser(handlers, { maxStanzaBytes: 1.5 })).toThrow(RangeError)
    expect(() => new XmlStreamParser(handlers, { maxHeaderBytes: Number.NaN })).toThrow(RangeError)
  })
})
