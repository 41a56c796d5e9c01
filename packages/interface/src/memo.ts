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
    const old = older.get(input)
    const value = old !== undefined || older.has(input) ? (old as R) : compute(input)
    if (recent.size >= options.generation) {
      older = recent
      recent = new Map()
    }
    recent.set(input, value)
    return value
  }
}
