/**
 * The process-wide side of write backpressure: how many bytes the streams of
 * one context have handed to their sockets and the peers have not read yet.
 * Each stream reports its own backlog as it changes; the sum is what a set of
 * patient peers that never read could make the process hold.
 */
export class OutputBudget {
  private used = 0

  constructor(private currentLimit: number) {}

  /** Unread bytes all streams together may hold before the greediest are closed. */
  get limit(): number {
    return this.currentLimit
  }

  /** A host reloading its configuration changes the limit in place: streams keep their budget. */
  setLimit(limit: number): void {
    this.currentLimit = limit
  }

  /** Bytes buffered by every stream together. */
  get buffered(): number {
    return this.used
  }

  /** A stream's backlog went from `before` to `after` bytes. */
  update(before: number, after: number): void {
    this.used += after - before
  }

  /**
   * True when the streams together hold more unread output than the limit: a stream whose peer
   * then leaves more than its fair share unread is closed with resource-constraint.
   */
  get exhausted(): boolean {
    return this.used > this.limit
  }
}
