/**
 * A bounded memo for pure string functions on the hot path: two generations of
 * at most `generation` entries each, the recent one and the one before it (an
 * approximate LRU that never scans). Inputs longer than `maxInputLength` (rare,
 * and a hostile peer's way to fill memory) are computed, not remembered.
 */
export function memoizeString<R>(
  compute: (input: string) => R,
  options: { generation: number; maxInputLength: number },
): (input: string) => R {
  let recent = new Map<string, R>()
  let older = new Map<string, R>()
  return (input) => {
    if (input.length > options.maxInputLength) return compute(input)
    // One lookup on a hit (the usual case); `has` only tells a remembered undefined from a miss.
    const hit = recent.get(input)
    if (hit !== undefined || recent.has(input)) return hit as R
    // Kept as a copy: the input may be a slice of a whole parsed chunk (see detached).
    const key = detached(input)
    const old = older.get(key)
    const value = old !== undefined || older.has(key) ? (old as R) : compute(key)
    if (recent.size >= options.generation) {
      older = recent
      recent = new Map()
    }
    recent.set(key, value)
    return value
  }
}

/**
 * A copy of `input` that shares nothing with the string it may have been cut from. V8 keeps
 * the whole parent alive behind a substring: an attribute value the XML parser sliced from a
 * socket read would hold that read (kilobytes) for as long as the memo holds the address,
 * thousands of them. Only on a miss, a fraction of a microsecond; UTF-16 keeps lone surrogates.
 */
function detached(input: string): string {
  return Buffer.from(input, 'utf16le').toString('utf16le')
}
