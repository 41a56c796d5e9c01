// A lease value is `nodeId:epoch`. Node ids may hold ':' themselves; the epoch is the last part.

/** A lease value taken apart: the owner and its fencing epoch. */
export interface LeaseValue {
  readonly nodeId: string
  readonly epoch: number
}

/** Reads `nodeId:epoch`; undefined for anything else. */
export function parseLease(value: string): LeaseValue | undefined {
  const at = value.lastIndexOf(':')
  if (at <= 0) return undefined
  const epoch = Number(value.slice(at + 1))
  return Number.isSafeInteger(epoch) ? { nodeId: value.slice(0, at), epoch } : undefined
}

/**
 * How long a node may write after sending a renewal that succeeded: the lease, measured from
 * when the renewal was *sent* (Redis started its PX no earlier), less a tenth for clock rate
 * differences. A node that misses this deadline (paused, partitioned) stops writing before
 * anyone else can hold the lease.
 */
export function writeDeadline(sentAt: number, leaseMs: number): number {
  return sentAt + leaseMs - Math.ceil(leaseMs / 10)
}
