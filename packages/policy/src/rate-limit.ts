/**
 * A token bucket: holds at most `burst` tokens, refills at `ratePerSecond`, and each
 * stanza takes one. It starts full. Time is whatever the caller passes as `now`
 * (milliseconds); a clock that goes backwards refills nothing, so it can never mint
 * extra tokens.
 */
export interface TokenBucket {
  /** Takes `n` tokens if all are there (then true); otherwise takes none (false). */
  take(now: number, n?: number): boolean
  /** Tokens available at `now`, without taking any. */
  available(now: number): number
}

/** A bucket's refill rate per second and its capacity (the burst allowed back to back). */
export interface TokenBucketOptions {
  ratePerSecond: number
  burst: number
}

/** Refills are fractional: without slack, 0.1 + 0.2 tokens would fall short of 0.3. */
const ROUNDING_SLACK = 1e-9

/** Creates a full token bucket; throws on a rate that is not positive and finite, or a burst below 1. */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { ratePerSecond, burst } = options
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`)
  }
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be >= 1, got ${burst}`)

  let tokens = burst
  let last: number | undefined

  const refill = (now: number) => {
    if (last === undefined || now > last) {
      if (last !== undefined) tokens = Math.min(burst, tokens + ((now - last) * ratePerSecond) / 1000)
      last = now
    }
  }

  return {
    take(now, n = 1) {
      if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`n must be >= 0, got ${n}`)
      refill(now)
      if (tokens + ROUNDING_SLACK < n) return false
      tokens = Math.max(0, tokens - n)
      return true
    },
    available(now) {
      refill(now)
      return tokens
    },
  }
}
