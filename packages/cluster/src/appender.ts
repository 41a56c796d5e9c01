import type { ClusterKeys } from './keys.js'
import { pairName } from './keys.js'
import { APPEND } from './scripts.js'
import type { Outcome } from './settlements.js'
import type { RedisStore } from './store.js'

// The origin side of a send: stanzas accepted by send() go to their pair's outbox in order, all
// of one tick in one pipelined batch (node-redis writes the commands of a tick together).

/** One stanza on its way to the outbox. */
export interface Append {
  readonly local: string
  readonly remote: string
  /** The origin's key for the stanza: how the owner's report finds its send(). */
  readonly key: string
  readonly xml: string
  readonly size: number
  readonly expiresAt: number
}

/** Appends that failed for want of Redis are tried again after this long (until their TTL). */
const RETRY_MS = 250

export interface AppenderOptions {
  readonly store: RedisStore
  readonly keys: ClusterKeys
  readonly nodeId: string
  /** The outbox bounds (config.queue). */
  readonly limits: { readonly maxStanzas: number; readonly maxBytes: number }
  /** A send that ended here: its outbox was full, or Redis stayed out of reach until its TTL. */
  settle(key: string, outcome: Outcome): void
  /** New entries in a pair's outbox, with the pair's lease value ('' when free). */
  appended(local: string, remote: string, lease: string): void
}

export class Appender {
  private queue: Append[] = []
  private flushing: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly options: AppenderOptions) {}

  /** Stanzas not yet in the outbox (their send()s count against maxPendingSends too). */
  get size(): number {
    return this.queue.length
  }

  add(append: Append): void {
    this.queue.push(append)
    this.schedule(0)
  }

  /** Stops retrying: one last batch, then returns the keys that never reached the outbox. */
  async finish(): Promise<string[]> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.flushing
    await this.flush().catch(() => undefined)
    return this.queue.splice(0).map((append) => append.key)
  }

  /** Drops everything (a crash). */
  abandon(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.queue = []
  }

  private schedule(delay: number): void {
    if (this.timer || this.flushing || this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flushing = this.flush().then(
        (failed) => {
          this.flushing = undefined
          // Sends that came meanwhile go at once; a failed batch waits before its retry.
          if (this.queue.length > 0) this.schedule(failed ? RETRY_MS : 0)
        },
        () => {
          this.flushing = undefined
        },
      )
    }, delay)
  }

  /**
   * Appends what waits, in order, as one batch, within the outbox bounds (checked atomically by
   * the script). What Redis could not take waits at the head (order kept) until its TTL passes,
   * then bounces with remote-server-timeout. Returns whether some appends failed.
   */
  private async flush(): Promise<boolean> {
    const batch = this.queue.splice(0)
    if (batch.length === 0) return false
    const { keys, limits, store } = this.options
    const replies = await Promise.allSettled(
      batch.map((append) =>
        store.script(
          APPEND,
          [
            keys.outbox(append.local, append.remote),
            keys.outboxBytes(append.local, append.remote),
            keys.lease(append.local, append.remote),
          ],
          [
            String(limits.maxStanzas),
            String(limits.maxBytes),
            String(append.size),
            this.options.nodeId,
            append.key,
            String(append.expiresAt),
            append.xml,
          ],
        ),
      ),
    )
    const retry: Append[] = []
    const appended = new Map<string, { local: string; remote: string; lease: string }>()
    for (const [index, reply] of replies.entries()) {
      const append = batch[index]!
      if (reply.status === 'rejected') {
        if (append.expiresAt > Date.now()) retry.push(append)
        else {
          this.options.settle(append.key, {
            ok: false,
            condition: 'remote-server-timeout',
            reason: `the cluster store (Redis) was unreachable until the stanza expired: ${(reply.reason as Error).message}`,
          })
        }
        continue
      }
      const [status, detail, lease] = reply.value as string[]
      if (status !== 'ok') {
        this.options.settle(append.key, {
          ok: false,
          condition: 'resource-constraint',
          reason: `the outbox to ${append.remote} is full (queue.${detail === 'bytes' ? 'maxBytes' : 'maxStanzas'})`,
        })
        continue
      }
      const name = pairName(append.local, append.remote)
      appended.set(name, { local: append.local, remote: append.remote, lease: lease ?? '' })
    }
    this.queue.unshift(...retry)
    for (const [name, { local, remote, lease }] of appended) {
      void store.command(['SADD', keys.pairs, name]).catch(() => undefined)
      this.options.appended(local, remote, lease)
    }
    return retry.length > 0
  }
}
