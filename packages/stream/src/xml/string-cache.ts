/**
 * Strings the parser met before, shared by all parsers: element and attribute names. Nearly all
 * of them repeat in s2s traffic (message, body, from, to, id, xmlns, ...): one found here is
 * compared in place instead of being cut out of the chunk as a new string and checked against
 * the QName rule again, and what the parser hands on is the same string object each time, whose
 * hash V8 has computed already (attribute stores and look-ups keyed by it).
 *
 * Direct-mapped: a string takes the slot of whatever hashed there before, so a peer sending ever
 * new names costs misses, never memory. Entries are copies, never slices: a slice would keep the
 * whole decoded chunk it was cut from alive.
 */
export class StringCache {
  private readonly strings: string[]
  /** A number kept with each string (a name's QName colon). */
  private readonly tags: Int32Array
  private readonly mask: number

  /** `slots` is a power of two; strings longer than `maxLength` are never cached. */
  constructor(
    slots: number,
    private readonly maxLength: number,
  ) {
    this.strings = new Array<string>(slots).fill('')
    this.tags = new Int32Array(slots)
    this.mask = slots - 1
  }

  /** The slot holding `s[from, to)`, or -1. */
  find(s: string, from: number, to: number): number {
    const length = to - from
    if (length < 1 || length > this.maxLength) return -1
    const slot = this.slotOf(s, from, to)
    const cached = this.strings[slot]!
    return cached.length === length && s.startsWith(cached, from) ? slot : -1
  }

  stringIn(slot: number): string {
    return this.strings[slot]!
  }

  tagIn(slot: number): number {
    return this.tags[slot]!
  }

  /** Remembers `s[from, to)` with `tag`; returns it as a string of its own (a copy, not a slice). */
  add(s: string, from: number, to: number, tag: number): string {
    const length = to - from
    // V8 copies slices shorter than 13 characters; longer ones become a copy by flattening.
    const own = length < 13 ? s.slice(from, to) : ` ${s.slice(from, to)}`.slice(1)
    if (length >= 1 && length <= this.maxLength) {
      const slot = this.slotOf(s, from, to)
      this.strings[slot] = own
      this.tags[slot] = tag
    }
    return own
  }

  private slotOf(s: string, from: number, to: number): number {
    const length = to - from
    const hash =
      length * 0x3c5 +
      s.charCodeAt(from) * 0x65 +
      s.charCodeAt(from + (length >> 1)) * 0x0b +
      s.charCodeAt(to - 1)
    return hash & this.mask
  }
}
