import { type Logger, silentLogger } from './logger.js'

/**
 * A token bucket per remote address for new connections: a peer that opens
 * and aborts connections in a loop (issue 13: ~200/s) gets refused past its
 * rate, and the log says so once when it starts and once when it stops.
 */
export interface AddressThrottleOptions {
  /** Sustained connections per second one address may open. Default 20; Infinity turns the throttle off. */
  readonly perSecond?: number
  /** Connections one address may open back to back before the rate applies. Default twice `perSecond`. */
  readonly burst?: number
  /**
   * Addresses remembered at once, so a flood from many sources cannot grow
   * the table: past it the least recently seen address is forgotten. Default 10,000.
   */
  readonly maxAddresses?: number
  readonly logger?: Logger
}

/** One address being refused now, as status reports it. */
export interface ThrottledAddress {
  readonly address: string
  /** Connections refused since the throttle started. */
  readonly refused: number
  /** When the first connection was refused (ISO 8601). */
  readonly since: string
}

/** Per-address admission for new connections, shared by the listeners of one context. */
export interface AddressThrottle {
  /** One more connection from `address`: true to take it, false when the address is over its rate. */
  admit(address: string): boolean
  /** The addresses being refused now. */
  throttled(): ThrottledAddress[]
  /** Addresses remembered now, at most `maxAddresses`. */
  readonly tracked: number
}

/**
 * Sustained new connections per second one address may open by default: far above what a real server needs,
 * far below a reconnect loop.
 */
export const DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS = 20
/** How many addresses the throttle remembers by default before it forgets the least recently seen. */
export const DEFAULT_MAX_THROTTLE_ADDRESSES = 10_000

interface Bucket {
  tokens: number
  updatedAt: number
  /** Set while the address is refused: from its first refusal until its bucket is full again. */
  episode: { startedAt: number; since: string; refused: number; admitted: number } | undefined
}

// How often the buckets of throttled addresses are checked for the end of the episode.
const SWEEP_MS = 1000

// Bucket arithmetic runs on the monotonic clock: a wall clock set back would drain every bucket.
const monotonicNow = () => performance.now()

/** Creates the throttle described by `options`; `perSecond: Infinity` returns one that admits everything. */
export function createAddressThrottle(options: AddressThrottleOptions = {}): AddressThrottle {
  const perSecond = options.perSecond ?? DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS
  if (!(perSecond > 0)) throw new RangeError(`perSecond must be positive, got ${perSecond}`)
  if (perSecond === Number.POSITIVE_INFINITY) return { admit: () => true, throttled: () => [], tracked: 0 }
  const burst = Math.max(1, options.burst ?? 2 * perSecond)
  const maxAddresses = Math.max(1, options.maxAddresses ?? DEFAULT_MAX_THROTTLE_ADDRESSES)
  const logger = options.logger ?? silentLogger
  // Insertion order is recency order: each admit() moves its address to the end.
  const buckets = new Map<string, Bucket>()
  const episodes = new Set<string>()
  let sweeper: NodeJS.Timeout | undefined

  const refill = (bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond)
    bucket.updatedAt = now
  }

  const endEpisode = (address: string, bucket: Bucket, now: number, why: string) => {
    const episode = bucket.episode
    if (!episode) return
    bucket.episode = undefined
    episodes.delete(address)
    logger.info(
      {
        remote: address,
        refused: episode.refused,
        admitted: episode.admitted,
        seconds: Math.round((now - episode.startedAt) / 1000),
      },
      `s2s connections from one address no longer throttled: ${why}`,
    )
    if (episodes.size === 0 && sweeper) {
      clearInterval(sweeper)
      sweeper = undefined
    }
  }

  // An episode ends once the address stayed under its rate long enough to refill its bucket.
  const sweep = (now: number) => {
    for (const address of episodes) {
      const bucket = buckets.get(address)!
      refill(bucket, now)
      if (bucket.tokens >= burst) endEpisode(address, bucket, now, 'back under its rate')
    }
  }

  // A full bucket holds nothing worth keeping; the oldest entries go first, and all go past the cap.
  const forgetIdle = (now: number) => {
    for (const [address, bucket] of buckets) {
      const full = !bucket.episode && bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond >= burst
      if (!full && buckets.size < maxAddresses) return
      endEpisode(address, bucket, now, 'forgotten, too many addresses tracked')
      buckets.delete(address)
    }
  }

  const startEpisode = (address: string, bucket: Bucket, now: number) => {
    bucket.episode = { startedAt: now, since: new Date().toISOString(), refused: 0, admitted: 0 }
    episodes.add(address)
    logger.warn(
      {
        remote: address,
        perSecond,
        burst,
      },
      's2s connections from one address throttled: over its rate, refusing the excess',
    )
    if (!sweeper) {
      sweeper = setInterval(() => sweep(monotonicNow()), SWEEP_MS)
      sweeper.unref()
    }
  }

  return {
    admit(address) {
      const now = monotonicNow()
      let bucket = buckets.get(address)
      if (bucket) {
        buckets.delete(address)
        refill(bucket, now)
      } else {
        forgetIdle(now)
        bucket = { tokens: burst, updatedAt: now, episode: undefined }
      }
      buckets.set(address, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        if (bucket.episode) bucket.episode.admitted++
        return true
      }
      if (!bucket.episode) startEpisode(address, bucket, now)
      bucket.episode!.refused++
      return false
    },
    throttled() {
      sweep(monotonicNow())
      return [...episodes].map((address) => {
        const { refused, since } = buckets.get(address)!.episode!
        return { address, refused, since }
      })
    },
    get tracked() {
      return buckets.size
    },
  }
}
