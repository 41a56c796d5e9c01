import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Utf8StreamDecoder } from '../src/xml/utf8-decoder.js'

/**
 * Decodes `chunks` in order; the text, up to '|error@k' at the chunk that failed. The reference
 * is what the parser used before: TextDecoder, fatal, in streaming mode.
 */
function viaTextDecoder(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let out = ''
  for (const [k, chunk] of chunks.entries()) {
    try {
      out += decoder.decode(chunk, { stream: true })
    } catch {
      return `${out}|error@${k}`
    }
  }
  return out
}

function viaUtf8StreamDecoder(chunks: Uint8Array[]): string {
  const decoder = new Utf8StreamDecoder()
  let out = ''
  for (const [k, chunk] of chunks.entries()) {
    const text = decoder.decode(chunk)
    if (text === null) return `${out}|error@${k}`
    out += text
  }
  return out
}

function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const sorted = points.map((p) => p % (bytes.length + 1)).sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const to of [...sorted, bytes.length]) {
    chunks.push(bytes.subarray(from, to))
    from = to
  }
  return chunks
}

// Bytes at the edges of every range the UTF-8 grammar distinguishes (lead bytes, the narrowed
// second-byte ranges after E0, ED, F0 and F4, continuations), plus ASCII and the BOM's bytes.
const EDGES = [
  0x00, 0x3c, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbb, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
  0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
]
const edgeByte = fc.constantFrom(...EDGES)
const BOM = [0xef, 0xbb, 0xbf]

describe('Utf8StreamDecoder', () => {
  it('agrees with a fatal streaming TextDecoder on every cut of every 1 to 3 edge bytes', () => {
    let cases = 0
    const disagreements: string[] = []
    for (const a of EDGES) {
      for (const b of EDGES) {
        for (const c of EDGES) {
          const bytes = Uint8Array.from([0x41, a, b, c, 0x41])
          for (let first = 0; first <= bytes.length; first++) {
            for (let second = first; second <= bytes.length; second++) {
              const chunks = cut(bytes, [first, second])
              const ours = viaUtf8StreamDecoder(chunks)
              const reference = viaTextDecoder(chunks)
              if (ours !== reference) disagreements.push(`${[a, b, c]} cut ${first},${second}: ${ours}`)
              cases++
            }
          }
        }
      }
    }
    expect(disagreements.slice(0, 5)).toEqual([])
    expect(cases).toBe(EDGES.length ** 3 * 21)
  })

  it('agrees with it on random bytes, BOMs and real characters, cut at random', () => {
    const piece = fc.oneof(
      edgeByte.map((byte) => [byte]),
      fc.constant(BOM),
      fc.constantFrom('é', '中', '😀', 'a<b', '\ufeff').map((s) => [...Buffer.from(s)]),
    )
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (pieces, points) => {
          const chunks = cut(Uint8Array.from(pieces.flat()), points)
          expect(viaUtf8StreamDecoder(chunks)).toBe(viaTextDecoder(chunks))
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('drops a BOM only as the first character, also when cut, and keeps one later', () => {
    const chunks = [Uint8Array.from([0xef]), Uint8Array.from([0xbb, 0xbf, 0x61, 0xef, 0xbb, 0xbf])]
    expect(viaUtf8StreamDecoder(chunks)).toBe('a\ufeff')
    expect(viaUtf8StreamDecoder([Uint8Array.from([0x61]), Uint8Array.from(BOM)])).toBe('a\ufeff')
  })

  it('says whether the last chunk was ASCII, and decodes a Uint8Array that is no Buffer', () => {
    const decoder = new Utf8StreamDecoder()
    expect(decoder.decode(new TextEncoder().encode('<a>'))).toBe('<a>')
    expect(decoder.ascii).toBe(true)
    expect(decoder.decode(new TextEncoder().encode('é').subarray(0, 1))).toBe('')
    expect(decoder.ascii).toBe(false)
    expect(decoder.decode(Uint8Array.from([0xa9, 0x62]))).toBe('éb')
    expect(decoder.ascii).toBe(false)
  })

  it('fails in the chunk where a cut sequence can no longer be completed', () => {
    const decoder = new Utf8StreamDecoder()
    expect(decoder.decode(Uint8Array.from([0x61, 0xe2]))).toBe('a')
    expect(decoder.decode(Uint8Array.from([0x82, 0x3c]))).toBeNull()
    // E0 must be followed by A0..BF: E0 80 is malformed before any third byte arrives.
    expect(new Utf8StreamDecoder().decode(Uint8Array.from([0xe0, 0x80]))).toBeNull()
  })
})
