/** A figure measured over repeated runs: the median, and the spread around it. */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: number
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 }
  const sorted = [...finite].sort((a, b) => a - b)
  return {
    median: percentileOfSorted(sorted, 50),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    runs: sorted.length,
  }
}

/** Percentile `p` (0..100) of ascending values, interpolated between neighbours. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  const a = sorted[low]!
  const b = sorted[high]!
  return a + (b - a) * (rank - low)
}

/** Summaries of the same field over runs: `field(runs, r => r.rate)`. */
export function field<T>(runs: readonly T[], pick: (run: T) => number): Summary {
  return summarize(runs.map(pick))
}
