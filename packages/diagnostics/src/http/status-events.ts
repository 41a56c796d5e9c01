import type { IncomingMessage, ServerResponse } from 'node:http'
import { respondError } from './respond.js'

/** The federation events that change what the page shows; the tick catches everything else. */
const PUSH_EVENTS = ['session', 'bounce'] as const

/** What the event stream needs of a federation: its snapshot and, when it has them, its events. */
export interface EventfulSource {
  on?(event: 'session' | 'bounce', listener: () => void): unknown
  off?(event: 'session' | 'bounce', listener: () => void): unknown
}

export interface StatusEventsOptions {
  /** The JSON value pushed to every client; compared as text to push only changes. */
  snapshot: () => unknown
  source: EventfulSource
  /** More clients are answered 503. Default 16. */
  maxClients?: number
  /** How often the snapshot is compared with the last one pushed. Default 1000 ms. */
  tickMs?: number
  /** Comment lines that keep proxies from closing a quiet stream. Default 15 000 ms. */
  heartbeatMs?: number
}

/** A client that reads slower than this many buffered bytes is dropped rather than buffered for. */
const MAX_BUFFERED_BYTES = 1 << 20

/** Server-sent status snapshots for the page: `event: status`, data the snapshot as JSON. */
export interface StatusEvents {
  serve(req: IncomingMessage, res: ServerResponse): void
  /** How many clients are connected. */
  readonly clients: number
  /** Ends every stream and stops listening to the federation. */
  close(): void
}

/**
 * Pushes a snapshot on the federation's `session` and `bounce` events (coalesced) and on a tick
 * when it changed; without events (a source with no `on`) the tick alone does it. Listeners and
 * timers exist only while a client is connected.
 */
export function statusEvents(options: StatusEventsOptions): StatusEvents {
  const maxClients = options.maxClients ?? 16
  const clients = new Set<ServerResponse>()
  let lastSent: string | undefined
  let timers: NodeJS.Timeout[] = []
  let scheduled = false

  const current = (): string | undefined => {
    try {
      return JSON.stringify(options.snapshot())
    } catch {
      return undefined // the next tick tries again
    }
  }
  const write = (res: ServerResponse, text: string) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      drop(res)
      return
    }
    res.write(text)
  }
  const pushIfChanged = () => {
    const text = current()
    if (text === undefined || text === lastSent) return
    lastSent = text
    for (const res of clients) write(res, `event: status\ndata: ${text}\n\n`)
  }
  const soon = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      pushIfChanged()
    })
  }
  const start = () => {
    for (const event of PUSH_EVENTS) options.source.on?.(event, soon)
    timers = [
      setInterval(pushIfChanged, options.tickMs ?? 1000),
      setInterval(() => {
        for (const res of clients) write(res, ': heartbeat\n\n')
      }, options.heartbeatMs ?? 15_000),
    ]
    for (const timer of timers) timer.unref()
  }
  const stop = () => {
    for (const event of PUSH_EVENTS) options.source.off?.(event, soon)
    for (const timer of timers) clearInterval(timer)
    timers = []
    lastSent = undefined
  }
  const drop = (res: ServerResponse) => {
    if (!clients.delete(res)) return
    if (!res.writableEnded) res.end()
    if (clients.size === 0) stop()
  }

  return {
    serve(req, res) {
      if (clients.size >= maxClients) {
        respondError(res, 503, 'resource-constraint', `at most ${maxClients} status pages may be open`, {
          'retry-after': '10',
        })
        return
      }
      const text = current()
      if (text === undefined) {
        respondError(res, 500, 'internal-server-error', 'the status could not be read')
        return
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no', // reverse proxies must not hold events back
        'x-content-type-options': 'nosniff',
      })
      // Every client starts from the whole snapshot; later pushes are only changes of it.
      res.write(`retry: 3000\n\nevent: status\ndata: ${text}\n\n`)
      if (clients.size === 0) {
        start()
        lastSent = text
      }
      clients.add(res)
      req.once('close', () => drop(res))
      res.once('error', () => drop(res))
    },
    get clients() {
      return clients.size
    },
    close() {
      for (const res of [...clients]) drop(res)
    },
  }
}
