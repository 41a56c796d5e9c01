/**
 * Bounds on the work the receiving role does for peers. Each verification with
 * an authoritative server costs a DNS lookup and an outbound connection to a
 * name the peer chose, before the peer has proved anything: without bounds one
 * stream sending thousands of `<db:result/>` makes us dial thousands of hosts
 * (reflection) and run out of file descriptors (exhaustion).
 */
export interface VerificationLimits {
  /** Verifications one stream may have in flight at once. Default 8. */
  readonly perStream?: number
  /** Verifications one peer address (an IPv4 address, an IPv6 /64) may have in flight at once. Default 32. */
  readonly perAddress?: number
  /** Verifications in flight at once for this mechanism, all peers together. Default 256. */
  readonly total?: number
  /**
   * Distinct domain pairs one stream may have verified by an authoritative
   * server over its life (repeating a pair does not count again). Default 32.
   */
  readonly pairsPerStream?: number
}

/**
 * The verification bounds used when a host sets none: enough for real peers, small enough that a flood of
 * claims cannot open unbounded verification streams.
 */
export const DEFAULT_VERIFICATION_LIMITS: Readonly<Required<VerificationLimits>> = {
  perStream: 8,
  perAddress: 32,
  total: 256,
  pairsPerStream: 32,
}

/** A verification may start (release the slot once its work is over), or which bound refuses it. */
export type Admission =
  | {
      readonly admitted: true
      /** Frees the slot; call it once, when the verification is over. */
      readonly release: () => void
    }
  | {
      readonly admitted: false
      /** `resource-constraint` (try again later) for a full slot, `policy-violation` past the per-stream pair budget. */
      readonly condition: 'resource-constraint' | 'policy-violation'
      readonly reason: string
    }

interface StreamUsage {
  inFlight: number
  readonly pairs: Set<string>
}

/** Counts verifications in flight per stream, per peer address and in total, and each stream's pairs. */
export class VerificationLimiter {
  private readonly limits: Readonly<Required<VerificationLimits>>
  private readonly streams = new WeakMap<object, StreamUsage>()
  /** Only addresses with something in flight: the map cannot grow with the peers ever seen. */
  private readonly addresses = new Map<string, number>()
  private total = 0

  constructor(limits: VerificationLimits = {}) {
    this.limits = { ...DEFAULT_VERIFICATION_LIMITS, ...withoutUndefined(limits) }
    for (const [name, value] of Object.entries(this.limits)) {
      if (!(value >= 1)) throw new RangeError(`dialback limits.${name} must be at least 1, got ${value}`)
    }
  }

  /** Verifications in flight, all peers together. */
  get inFlight(): number {
    return this.total
  }

  /** Takes a slot to verify `pair` for `stream`, whose peer is at `address` (a key from peerAddressKey). */
  admit(stream: object, address: string | undefined, pair: string): Admission {
    const usage = this.streams.get(stream) ?? { inFlight: 0, pairs: new Set<string>() }
    this.streams.set(stream, usage)
    const { perStream, perAddress, total, pairsPerStream } = this.limits
    if (!usage.pairs.has(pair) && usage.pairs.size >= pairsPerStream) {
      return {
        admitted: false,
        condition: 'policy-violation',
        reason: `this stream has already asked to verify ${pairsPerStream} domain pairs; open a new stream`,
      }
    }
    const fromAddress = address === undefined ? 0 : (this.addresses.get(address) ?? 0)
    const full =
      usage.inFlight >= perStream
        ? `${perStream} verifications in flight on this stream`
        : fromAddress >= perAddress
          ? `${perAddress} verifications in flight for ${address}`
          : this.total >= total
            ? `${total} verifications in flight`
            : undefined
    if (full) return { admitted: false, condition: 'resource-constraint', reason: `${full}; try again later` }

    usage.pairs.add(pair)
    usage.inFlight++
    if (address !== undefined) this.addresses.set(address, fromAddress + 1)
    this.total++
    let released = false
    const release = () => {
      if (released) return
      released = true
      usage.inFlight--
      this.total--
      if (address === undefined) return
      const left = (this.addresses.get(address) ?? 1) - 1
      if (left > 0) this.addresses.set(address, left)
      else this.addresses.delete(address)
    }
    return { admitted: true, release }
  }
}

function withoutUndefined(limits: VerificationLimits): VerificationLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined))
}
