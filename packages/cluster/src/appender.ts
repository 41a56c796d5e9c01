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
  private immediate: NodeJS.Immediate | undefined
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
    clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
    await this.flushing
    await this.flush().catch(() => undefined)
    return this.queue.splice(0).map((append) => append.key)
  }

  /** Drops everything (a crash). */
  abandon(): void {
    this.stopped = true
    clearTimeout(this.timer)
    clearImmediate(this.immediate)
    this.queue = []
  }

  private schedule(delay: number): void {
    if (this.timer || this.immediate || this.flushing || this.stopped) return
    // At once means at the end of this turn (everything send() was given in it goes in one
    // batch); setTimeout(0) would wait a millisecond, a millisecond added to every send.
    if (delay === 0) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined
        this.run()
      })
      return
    }
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.run()
    }, delay)
  }

  private run(): void {
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
    // One script call per pair and batch, its stanzas in order: a command per stanza made Redis
    // round trips, not Redis, the limit of a node's throughput.
    const byPair = new Map<string, Append[]>()
    for (const append of batch) {
      const name = pairName(append.local, append.remote)
      const list = byPair.get(name)
      if (list) list.push(append)
      else byPair.set(name, [append])
    }
    const groups = [...byPair.values()]
    const replies = await Promise.allSettled(
      groups.map((group) =>
        store.script(
          APPEND,
          [
            keys.outbox(group[0]!.local, group[0]!.remote),
            keys.outboxBytes(group[0]!.local, group[0]!.remote),
            keys.lease(group[0]!.local, group[0]!.remote),
          ],
          [
            String(limits.maxStanzas),
            String(limits.maxBytes),
            this.options.nodeId,
            ...group.flatMap((append) => [
              String(append.size),
              append.key,
              String(append.expiresAt),
              append.xml,
            ]),
          ],
        ),
      ),
    )
    const retry: Append[] = []
    const appended = new Map<string, { local: string; remote: string; lease: string }>()
    for (const [index, reply] of replies.entries()) {
      const group = groups[index]!
      if (reply.status === 'rejected') {
        for (const append of group) {
          if (append.expiresAt > Date.now()) retry.push(append)
          else {
            this.options.settle(append.key, {
              ok: false,
              condition: 'remote-server-timeout',
              reason: `the cluster store (Redis) was unreachable until the stanza expired: ${(reply.reason as Error).message}`,
            })
          }
        }
        continue
      }
      const [lease, results] = reply.value as [string, string[]]
      for (const [position, append] of group.entries()) {
        const result = results[position] ?? 'full:stanzas'
        if (result.startsWith('full:')) {
          this.options.settle(append.key, {
            ok: false,
            condition: 'resource-constraint',
            reason: `the outbox to ${append.remote} is full (queue.${result === 'full:bytes' ? 'maxBytes' : 'maxStanzas'})`,
          })
          continue
        }
        appended.set(pairName(append.local, append.remote), {
          local: append.local,
          remote: append.remote,
          lease: lease ?? '',
        })
      }
    }
    // Retried in their original order, ahead of what came meanwhile.
    const position = new Map(batch.map((append, index) => [append, index]))
    retry.sort((x, y) => position.get(x)! - position.get(y)!)
    this.queue.unshift(...retry)
    for (const [name, { local, remote, lease }] of appended) {
      void store.command(['SADD', keys.pairs, name]).catch(() => undefined)
      this.options.appended(local, remote, lease)
    }
    return retry.length > 0
  }
}
