import { allow, type Decision, refuse } from './decision.js'
import { createTokenBucket, type TokenBucket } from './rate-limit.js'
import type { DomainLimits } from './types.js'

/** Per-domain limits; the numbers come from the resolved settings of the domain. */

export function checkStanzaSize(domain: string, bytes: number, limits: DomainLimits): Decision {
  if (bytes > limits.maxStanzaBytes) {
    return refuse(
      'STANZA_TOO_LARGE',
      `a ${bytes}-byte stanza exceeds the ${limits.maxStanzaBytes}-byte limit for ${domain}`,
    )
  }
  return allow(`${bytes} bytes is within the ${limits.maxStanzaBytes}-byte limit for ${domain}`)
}

/** `openStreams`: streams already open with the domain, both directions; asks whether one more may open. */
export function checkStreamCount(domain: string, openStreams: number, limits: DomainLimits): Decision {
  if (openStreams >= limits.maxStreams) {
    return refuse(
      'TOO_MANY_STREAMS',
      `${domain} already has ${openStreams} streams open (limit ${limits.maxStreams})`,
    )
  }
  return allow(`${domain} has ${openStreams} of ${limits.maxStreams} streams open`)
}

/** Stanza rate limits per remote domain, with a bounded number of buckets. */
export interface DomainRateLimiter {
  /**
   * Takes `stanzas` tokens (default 1) from the domain's bucket at time `now` (ms); refused with
   * RATE_LIMITED when too few are left.
   */
  check(domain: string, now: number, stanzas?: number): Decision
  /** Drops the domain's bucket, e.g. when its last stream closes. */
  forget(domain: string): void
  readonly size: number
}

/** Buckets kept before full ones (indistinguishable from new) are dropped. */
export const MAX_RATE_BUCKETS = 4096

/**
 * One token bucket per (normalized) remote domain, created on first use; `limitsFor` gives each
 * domain's rate and burst, read when its bucket is created.
 */
export function createDomainRateLimiter(
  limitsFor: (domain: string) => DomainLimits,
  maxBuckets = MAX_RATE_BUCKETS,
): DomainRateLimiter {
  const buckets = new Map<string, { bucket: TokenBucket; burst: number }>()
  /**
   * A peer that cycles through remote domains must not grow this map for ever: a bucket
   * that has refilled is the same as a new one, so it can go; if every bucket is still
   * draining, the oldest goes (its domain starts afresh, the map stays bounded).
   */
  const makeRoom = (now: number) => {
    for (const [domain, entry] of buckets) {
      if (entry.bucket.available(now) >= entry.burst) buckets.delete(domain)
    }
    while (buckets.size >= maxBuckets * 0.9) buckets.delete(buckets.keys().next().value as string)
  }
  return {
    check(domain, now, stanzas = 1) {
      const limits = limitsFor(domain)
      let bucket = buckets.get(domain)?.bucket
      if (bucket === undefined) {
        if (buckets.size >= maxBuckets) makeRoom(now)
        bucket = createTokenBucket({ ratePerSecond: limits.stanzasPerSecond, burst: limits.burst })
        buckets.set(domain, { bucket, burst: limits.burst })
      }
      if (bucket.take(now, stanzas)) return allow(`${domain} is within ${limits.stanzasPerSecond} stanzas/s`)
      return refuse(
        'RATE_LIMITED',
        `${domain} exceeds ${limits.stanzasPerSecond} stanzas/s (burst ${limits.burst}); try again later`,
      )
    },
    forget: (domain) => {
      buckets.delete(domain)
    },
    get size() {
      return buckets.size
    },
  }
}
