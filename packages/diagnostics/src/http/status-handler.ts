import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FederationConfig } from '@xmpp-federation/config'
import type { FederationStatus } from '@xmpp-federation/router'
import { renderPrometheus } from '../status/prometheus.js'
import { PROMETHEUS_CONTENT_TYPE } from '../status/prometheus-format.js'
import { bearerTokenCheck } from './bearer-token.js'
import { doctorRoute, type PageDoctorOptions } from './doctor-route.js'
import { normaliseBasePath, requestUrl } from './mount-path.js'
import { servePage, servePageScript, servePageStyle } from './page/page-assets.js'
import { type PageAccess, pageAccess, sameOriginPost } from './page-access.js'
import { type ReloadFunction, reloadRoute } from './reload-route.js'
import { JSON_CONTENT_TYPE, respond, respondError } from './respond.js'
import { statusDocumentBuilder } from './status-document.js'
import { type StatusEvents, statusEvents } from './status-events.js'

/**
 * All the handler needs of a federation: `Federation` of @xmpp-federation/router is one, and
 * so is anything else that can say how its federation is doing.
 */
export interface StatusSource {
  /** The current status snapshot. */
  status(): FederationStatus
  /**
   * The federation's `session` and `bounce` events (Federation is an EventEmitter): the status
   * page pushes a snapshot on each. Without them it compares snapshots once a second.
   */
  on?(event: 'session' | 'bounce', listener: () => void): unknown
  /** Removes a listener added with `on`, when the last status page closes. */
  off?(event: 'session' | 'bounce', listener: () => void): unknown
}

/**
 * What createStatusHandler serves: the federation's status and, optionally, the fingerprint and
 * settings of its configuration, and the status page.
 */
export interface StatusHandlerOptions {
  federation: StatusSource
  /**
   * The configuration the federation runs with: shown as `configFingerprint` and `settings`
   * (secrets masked), and used by the page's doctor. Without it the status has neither. Pass a
   * function (`() => federation.components.config`) for a federation that reloads: it is read
   * at every request.
   */
  config?: FederationConfig | (() => FederationConfig)
  /**
   * When set, every request under the mount must carry `Authorization: Bearer <token>`, or it
   * is answered 401. The page routes also take the cookie that opening `<base>/ui?token=…`
   * once sets (see docs/operations.md). Paths the handler does not own are passed on untouched.
   */
  token?: string
  /**
   * Where the routes sit in the URL the handler sees: `'/diag'` serves `/diag/status` and
   * `/diag/metrics`. Default `''` (`/status`, `/metrics`). A framework that strips its mount
   * point from `req.url` (Express `app.use('/diag', handler)`) needs none.
   */
  basePath?: string
  /** Serve the status page (`<base>/ui`, its assets, `<base>/ui/events`, `POST <base>/ui/doctor`). Default true. */
  statusPage?: boolean
  /** Given to the page's doctor runs, e.g. `mechanisms: [dialback({ secret })]`. */
  doctor?: PageDoctorOptions
  /** Open status pages (event streams) at once; more are answered 503. Default 16. */
  maxPageClients?: number
  /**
   * Serves `POST <base>/reload`, answering the ReconfigureReport (see reload-route.ts).
   * Changing the configuration is not for anyone who can reach the port: requires `token`.
   */
  reload?: ReloadFunction
}

/** Connect/Express style: called for a request the handler does not own, or with an error. */
export type NextFunction = (error?: unknown) => void

/** A Node request listener, usable as `http.createServer(handler)` or as middleware. */
export interface StatusHandler {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void
  /** Ends the status pages' event streams (before closing the server: they never end by themselves). */
  close(): void
}

/** Who may use a route: the Bearer token only, also the page's cookie, or anyone (static assets). */
type Access = 'bearer' | 'page' | 'public'

interface Route {
  methods: readonly string[]
  access: Access
  serve(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>
}

const READ = ['GET', 'HEAD'] as const

/**
 * Serves a federation's live status over HTTP, for people, `xmpp-federation status URL` and
 * Prometheus: `GET <base>/status` (JSON: the FederationStatus, plus `configFingerprint`,
 * `settings` and `node`), `GET <base>/metrics` (Prometheus text, `renderPrometheus`) and the
 * status page (`GET <base>/ui`, live over `GET <base>/ui/events`, `POST <base>/ui/doctor?domain=D`).
 * With `reload` (and `token`), `POST <base>/reload` applies a new configuration. Other methods are answered 405. Any other path goes to `next()`, or is answered 404 without one.
 */
export function createStatusHandler(options: StatusHandlerOptions): StatusHandler {
  const base = normaliseBasePath(options.basePath)
  if (options.reload && options.token === undefined) {
    throw new TypeError(
      'createStatusHandler: `reload` needs a `token`, or anyone reaching the port could reload',
    )
  }
  const bearer = options.token === undefined ? () => true : bearerTokenCheck(options.token)
  const page = pageAccess(options.token, `${base}/`)
  const status = () => options.federation.status()
  const { config } = options
  // A function is read at every request, so that a reload shows (e.g. `() => federation.components.config`).
  const currentConfig = typeof config === 'function' ? config : () => config
  const statusDocument = statusDocumentBuilder(status, currentConfig)
  const events = statusEvents({
    snapshot: status,
    source: options.federation,
    maxClients: options.maxPageClients,
  })
  const doctor = doctorRoute({ status, config: currentConfig, doctor: options.doctor })
  const routes: Record<string, Route> = {
    [`${base}/status`]: {
      methods: READ,
      access: 'bearer',
      serve: (_req, res) =>
        respond(res, 200, JSON_CONTENT_TYPE, `${JSON.stringify(statusDocument(), null, 2)}\n`),
    },
    [`${base}/metrics`]: {
      methods: READ,
      access: 'bearer',
      serve: (_req, res) => respond(res, 200, PROMETHEUS_CONTENT_TYPE, renderPrometheus(status())),
    },
    ...(options.statusPage === false ? {} : pageRoutes(base, events, doctor)),
    ...(options.reload && {
      [`${base}/reload`]: { methods: ['POST'], access: 'bearer', serve: reloadRoute(options.reload) },
    }),
  }

  const handler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => {
    const url = requestUrl(req.url)
    const route = url && routes[url.pathname]
    if (!url || !route) {
      if (next) next()
      else respondError(res, 404, 'item-not-found', `no such endpoint: ${url?.pathname ?? req.url}`)
      return
    }
    const cookie = url.pathname === `${base}/ui` ? page.exchange(req, url) : undefined
    if (cookie) {
      // The token leaves the address bar and the history at once.
      res.writeHead(303, { location: `${base}/ui`, 'set-cookie': cookie, 'cache-control': 'no-store' })
      res.end()
      return
    }
    const verdict = access(route, req, bearer, page)
    if (verdict === 403) {
      const message = `${url.pathname} takes a POST from the status page (X-Status-Page: 1, same origin) or with the Bearer token`
      respondError(res, 403, 'forbidden', message)
      return
    }
    if (verdict === 401) {
      const challenge = { 'www-authenticate': 'Bearer realm="xmpp-federation"' }
      const hint = route.access === 'page' ? ` (a browser: open ${base}/ui?token=<token> once)` : ''
      respondError(res, 401, 'not-authorized', `send Authorization: Bearer <token>${hint}`, challenge)
      return
    }
    if (!route.methods.includes(req.method ?? '')) {
      const allow = { allow: route.methods.join(', ') }
      respondError(res, 405, 'not-allowed', `${url.pathname} takes ${allow.allow}`, allow)
      return
    }
    const failed = (error: unknown) => {
      // A host with a pipeline (Express, Connect) reports errors its own way.
      if (next) next(error)
      else if (!res.headersSent)
        respondError(res, 500, 'internal-server-error', 'the status could not be read')
      else res.destroy()
    }
    try {
      const served = route.serve(req, res, url)
      // Asynchronous routes (the doctor) answer their own failures; this is the last resort.
      served?.catch((error: unknown) => {
        try {
          failed(error)
        } catch {
          if (!res.headersSent) respondError(res, 500, 'internal-server-error', 'the request failed')
          else res.destroy()
        }
      })
    } catch (error) {
      failed(error)
    }
  }
  return Object.assign(handler, { close: () => events.close() })
}

function pageRoutes(base: string, events: StatusEvents, doctor: ReturnType<typeof doctorRoute>) {
  return {
    [`${base}/ui`]: { methods: READ, access: 'page', serve: (_req, res) => servePage(res) },
    [`${base}/ui/page.js`]: { methods: READ, access: 'public', serve: (_req, res) => servePageScript(res) },
    [`${base}/ui/page.css`]: { methods: READ, access: 'public', serve: (_req, res) => servePageStyle(res) },
    [`${base}/ui/events`]: { methods: ['GET'], access: 'page', serve: (req, res) => events.serve(req, res) },
    [`${base}/ui/doctor`]: {
      methods: ['POST'],
      access: 'page',
      serve: (_req, res, url) => doctor(url, res),
    },
  } satisfies Record<string, Route>
}

/** 'ok', or why not: 401 (no credential) or 403 (a POST that does not come from the page). */
function access(
  route: Route,
  req: IncomingMessage,
  bearer: (req: IncomingMessage) => boolean,
  page: PageAccess,
): 'ok' | 401 | 403 {
  if (route.access === 'public') return 'ok'
  if (route.access === 'bearer') return bearer(req) ? 'ok' : 401
  if (req.method !== 'POST') return page.allowed(req) ? 'ok' : 401
  // The Bearer header is no ambient credential: no other site can make a browser send it.
  if (req.headers.authorization !== undefined) return bearer(req) ? 'ok' : 401
  if (!page.allowed(req)) return 401
  // The cookie (or no token at all) is: a POST that relies on it must come from the page itself.
  return sameOriginPost(req) ? 'ok' : 403
}
