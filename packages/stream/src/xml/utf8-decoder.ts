/**
 * Streaming, strict UTF-8 decoding for the XML parser: what `new TextDecoder('utf-8', { fatal:
 * true }).decode(bytes, { stream: true })` returns, chunk for chunk, error for error (a leading
 * BOM dropped once, a sequence cut at a chunk's end carried to the next, a malformed one failing
 * in the chunk where it becomes malformed), for a fraction of its cost on ASCII.
 *
 * Why: in streaming mode Node's TextDecoder goes through ICU, which costs about 2 µs per KiB even
 * for ASCII, a tenth of the parser's time per stanza. ASCII bytes (nearly all of s2s traffic) are
 * one character each: they become a string with one copy. Other bytes still go through ICU, which
 * converts them faster than Buffer's UTF-8 path; the cut sequence is kept here, not in ICU, so
 * the bytes ICU gets are complete and checked with `isUtf8` first (in streaming mode ICU would
 * keep a sequence cut by the next lead byte pending instead of failing).
 */
import { isAscii, isUtf8 } from 'node:buffer'

export class Utf8StreamDecoder {
  /** The start of a sequence that the last chunk ended in (1 to 3 bytes), else null. */
  private pending: Buffer | null = null
  /** Whether a character was output already: only the stream's first one may be a BOM to drop. */
  private started = false
  /** Converts complete, valid sequences only; the BOM is handled here. */
  private readonly converter = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  /** The bytes of the last decode() were all ASCII: one character per byte. */
  ascii = false

  /** The characters `input` completes, or null if it is not (the start of) valid UTF-8. */
  decode(input: Uint8Array): string | null {
    let bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    if (this.pending !== null) {
      bytes = Buffer.concat([this.pending, bytes])
      this.pending = null
    }
    const length = bytes.length
    if (isAscii(bytes)) {
      this.ascii = true
      if (length > 0) this.started = true
      return bytes.toString('latin1', 0, length)
    }
    this.ascii = false
    const end = completeEnd(bytes)
    if (end < 0) return null
    const complete = end === length ? bytes : bytes.subarray(0, end)
    if (!isUtf8(complete)) return null
    let text: string
    try {
      text = this.converter.decode(complete, { stream: true })
    } catch {
      return null
    }
    // A copy: a view would keep the whole chunk alive until the next one arrives.
    if (end < length) this.pending = Buffer.from(bytes.subarray(end))
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    return text
  }
}

/**
 * Where the last complete sequence of `bytes` ends: `bytes.length` unless they end in the valid
 * start of a longer sequence, -1 if they end in a start that no continuation can make valid (the
 * second byte's range depends on the first: no overlong forms, surrogates or code points past
 * U+10FFFF). Malformed bytes before that are left to `isUtf8`.
 */
function completeEnd(bytes: Buffer): number {
  const length = bytes.length
  let lead = length - 1
  while (lead >= 0 && lead > length - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--
  if (lead < 0) return length
  const first = bytes[lead]!
  const needed =
    first < 0x80 ? 1 : first < 0xc2 ? 0 : first < 0xe0 ? 2 : first < 0xf0 ? 3 : first < 0xf5 ? 4 : 0
  if (needed === 0 || length - lead >= needed) return length
  if (length - lead >= 2) {
    const second = bytes[lead + 1]!
    const low = first === 0xe0 ? 0xa0 : first === 0xf0 ? 0x90 : 0x80
    const high = first === 0xed ? 0x9f : first === 0xf4 ? 0x8f : 0xbf
    if (second < low || second > high) return -1
  }
  return lead
}
