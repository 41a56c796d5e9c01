import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type ApiContext,
  events,
  type Handler,
  health,
  listInbox,
  ping,
  postMessage,
  postPresence,
  roster,
} from './api-handlers.js'
import { ApiError, sendError } from './http-io.js'
import { type StatusRoutes, statusRoutes } from './status-routes.js'

// /api/status and /metrics are the diagnostics status handler's (status-routes.ts).
const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Handler>>> = {
  '/healthz': { GET: health },
  '/api/messages': { POST: postMessage },
  '/api/presence': { POST: postPresence },
  '/api/roster': { GET: roster },
  '/api/ping': { POST: ping },
  '/api/inbox': { GET: listInbox },
  '/api/events': { GET: events },
}

const CLOSE_GRACE_MS = 3_000

export interface HttpApi {
  /** e.g. `http://127.0.0.1:8484` */
  readonly url: string
  /** Stops listening, ends event streams, lets requests in progress finish (briefly). */
  close(): Promise<void>
}

export async function startHttpApi(
  context: ApiContext,
  endpoint: { host: string; port: number },
): Promise<HttpApi> {
  const status = statusRoutes(
    context.federation,
    () => context.federation.components.config,
    context.adminRoutes,
  )
  const server = createServer((req, res) => void route(context, status, req, res))
  await listen(server, endpoint)
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const end of context.eventStreams) end()
      status.close()
      server.closeIdleConnections()
      // Requests still waiting on the federation get their answer as it stops
      // (it bounces what is queued); a client that lingers beyond that is cut off.
      const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
      await closed
      clearTimeout(timer)
    },
  }
}

function listen(server: Server, { host, port }: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'EADDRINUSE' ? ' (in use: is another gateway running?)' : ''
      reject(
        new Error(`HTTP API cannot listen on ${host}:${port}: ${error.message}${hint}`, { cause: error }),
      )
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

async function route(
  context: ApiContext,
  status: StatusRoutes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now()
  const url = new URL(req.url ?? '/', 'http://gateway')
  try {
    if (!status(req, res)) await dispatch(context, req, res, url)
  } catch (error) {
    if (res.headersSent) {
      res.destroy()
    } else if (error instanceof ApiError) {
      sendError(res, error)
    } else {
      context.log.event(
        'http',
        `${req.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`,
        {},
        'error',
      )
      sendError(res, new ApiError(500, 'internal-server-error', 'the gateway failed; see its log'))
    }
  }
  const ms = Math.round(performance.now() - started)
  context.log.event('http', `${req.method} ${url.pathname} ${res.statusCode} ${ms} ms`, {}, 'debug')
}

/** The gateway's own endpoints (ROUTES). */
async function dispatch(context: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const methods = ROUTES[url.pathname]
  if (!methods) throw new ApiError(404, 'item-not-found', `no such endpoint: ${req.method} ${url.pathname}`)
  const handler = methods[req.method as 'GET' | 'POST']
  if (!handler) {
    const allowed = Object.keys(methods).join(', ')
    throw new ApiError(405, 'not-allowed', `${url.pathname} takes ${allowed}`, { allow: allowed })
  }
  await handler(context, req, res, url)
}
