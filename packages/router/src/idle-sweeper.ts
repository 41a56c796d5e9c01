import type { S2SSession } from '@xmpp-federation/stream'

/**
 * Closes streams that carried no stanza for `idleMs` (whitespace keepalives and
 * acks do not count), with their closing handshake. One timer for all streams:
 * it compares stanza counters between sweeps, so the per-stanza path pays nothing.
 * A closed outbound stream is reopened by the next send.
 */
export class IdleSweeper {
  private readonly seen = new WeakMap<S2SSession, { count: number; since: number }>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private idleMs: number,
    private readonly sessions: () => Iterable<S2SSession>,
    private readonly onIdle: (session: S2SSession) => void,
    /** Runs after each sweep: other housekeeping that may wait as long as an idle stream. */
    private readonly afterSweep: () => void = () => {},
  ) {
    this.schedule()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** A reload changed `timeouts.idleMs`: sweep at the new pace (0 switches it off). */
  retune(idleMs: number): void {
    if (idleMs === this.idleMs) return
    this.stop()
    this.idleMs = idleMs
    this.schedule()
  }

  private schedule(): void {
    this.timer = undefined
    if (this.idleMs <= 0) return
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.floor(this.idleMs / 2)))
    this.timer.unref?.()
  }

  private sweep(now: number): void {
    for (const session of this.sessions()) {
      if (session.phase !== 'established') continue
      const count = session.stats.stanzasIn + session.stats.stanzasOut
      const last = this.seen.get(session)
      if (!last || last.count !== count) {
        this.seen.set(session, { count, since: now })
      } else if (now - last.since >= this.idleMs && session.unacknowledgedCount === 0) {
        this.onIdle(session)
      }
    }
    this.afterSweep()
  }
}
