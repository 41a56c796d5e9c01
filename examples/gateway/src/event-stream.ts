import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Inbox, type InboxItem, matches } from './inbox.js'

const HEARTBEAT_MS = 15_000

/**
 * Server-sent events of inbox items as they arrive. A client that reconnects
 * with `Last-Event-ID` (or asks `?since=`) first gets what it missed, as far
 * as the inbox still holds it. Returns a function that ends the stream.
 */
export function streamInbox(
  req: IncomingMessage,
  res: ServerResponse,
  inbox: Inbox,
  filter: { since?: number; user?: string },
): () => void {
  const lastEventId = Number(req.headers['last-event-id'])
  const since = Number.isInteger(lastEventId) ? lastEventId : filter.since
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // reverse proxies must not hold events back
  })
  res.write('retry: 2000\n\n')
  // Replay and subscribe in one synchronous step: no item can fall between them.
  if (since !== undefined) for (const item of inbox.list({ since, user: filter.user })) writeEvent(res, item)
  const unsubscribe = inbox.subscribe((item) => {
    if (matches(item, { user: filter.user })) writeEvent(res, item)
  })
  // Comments keep idle proxies and NATs from dropping a quiet stream.
  const heartbeat = setInterval(() => res.write(': keepalive\n\n'), HEARTBEAT_MS)
  heartbeat.unref()
  const end = () => {
    clearInterval(heartbeat)
    unsubscribe()
    if (!res.writableEnded) res.end()
  }
  req.once('close', end)
  return end
}

function writeEvent(res: ServerResponse, item: InboxItem): void {
  res.write(`id: ${item.seq}\nevent: ${item.kind}\ndata: ${JSON.stringify(item)}\n\n`)
}
