/**
 * Items that arrived, kept until a test asks for them: next() first looks at
 * what is already buffered, so a stanza that arrives before the test starts
 * waiting is never missed. Each item is handed out once.
 */
export interface Inbox<T> {
  push(item: T): void
  next(predicate: (item: T) => boolean, timeoutMs: number): Promise<T>
  /** Rejects current and future waits that the buffer cannot satisfy (current ones without an unhandled rejection). */
  close(reason: string): void
}

export interface InboxOptions<T> {
  /** Oldest items are dropped beyond this; default 10 000. */
  capacity?: number
  /** For timeout messages: how an item looks. */
  describe?: (item: T) => string
}

interface Waiter<T> {
  predicate: (item: T) => boolean
  resolve(item: T): void
  fail(error: Error): void
  /** fail() for a reason outside the test's control (the stream closed). */
  abandon(reason: string): void
}

export function createInbox<T>(options: InboxOptions<T> = {}): Inbox<T> {
  const capacity = options.capacity ?? 10_000
  const describe = options.describe ?? String
  const buffered: T[] = []
  const waiters = new Set<Waiter<T>>()
  let closedReason: string | undefined

  // A throwing predicate fails its own wait, never the producer that pushed.
  const claimedBy = (waiter: Waiter<T>, item: T): boolean => {
    try {
      return waiter.predicate(item)
    } catch (error) {
      waiter.fail(error as Error)
      return false
    }
  }

  return {
    push(item) {
      for (const waiter of waiters) {
        if (claimedBy(waiter, item)) {
          waiter.resolve(item)
          return
        }
      }
      buffered.push(item)
      if (buffered.length > capacity) buffered.shift()
    },

    next(predicate, timeoutMs) {
      const waiting: Promise<T> = new Promise<T>((resolve, reject) => {
        const index = buffered.findIndex(predicate)
        if (index >= 0) return resolve(buffered.splice(index, 1)[0] as T)
        if (closedReason !== undefined) return reject(new Error(closedReason))
        const settle = () => {
          clearTimeout(timer)
          waiters.delete(waiter)
        }
        const waiter: Waiter<T> = {
          predicate,
          resolve: (item) => {
            settle()
            resolve(item)
          },
          fail: (error) => {
            settle()
            reject(error)
          },
          abandon: (reason) => {
            // the wait may have been left behind by a test that already failed: no unhandled rejection
            waiting.catch(() => {})
            waiter.fail(new Error(reason))
          },
        }
        const timer = setTimeout(() => {
          const recent = buffered.slice(-5).map((item) => describe(item).slice(0, 300))
          const unclaimed =
            recent.length > 0 ? `; last unclaimed: ${recent.join(' | ')}` : '; nothing unclaimed'
          waiter.fail(new Error(`nothing matched within ${timeoutMs} ms${unclaimed}`))
        }, timeoutMs)
        waiters.add(waiter)
      })
      return waiting
    },

    close(reason) {
      closedReason ??= reason
      for (const waiter of [...waiters]) waiter.abandon(reason)
    },
  }
}
