import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FederationConfig } from '@xmpp-federation/config'
import type { FederationStatus } from '@xmpp-federation/router'
import { renderPrometheus } from '../status/prometheus.js'
import { PROMETHEUS_CONTENT_TYPE } from '../status/prometheus-format.js'
import { bearerTokenCheck } from './bearer-token.js'
import { normaliseBasePath, requestPath } from './mount-path.js'
import { type ReloadFunction, reloadRoute } from './reload-route.js'
import { JSON_CONTENT_TYPE, respond, respondError } from './respond.js'
import { statusDocumentBuilder } from './status-document.js'

/**
 * All the handler needs of a federation: `Federation` of @xmpp-federation/router is one, and
 * so is anything else that can say how its federation is doing.
 */
export interface StatusSource {
  /** The current status snapshot. */
  status(): FederationStatus
}

/**
 * What createStatusHandler serves: the federation's status and, optionally, the fingerprint of its
 * configuration.
 */
export interface StatusHandlerOptions {
  federation: StatusSource
  /**
   * The configuration the federation runs with. Only its fingerprint is shown (as
   * `configFingerprint`); without it the status has none.
   */
  config?: FederationConfig
  /**
   * When set, every request under the mount must carry `Authorization: Bearer <token>`, or it
   * is answered 401. Paths the handler does not own are passed on untouched either way.
   */
  token?: string
  /**
   * Where the routes sit in the URL the handler sees: `'/diag'` serves `/diag/status` and
   * `/diag/metrics`. Default `''` (`/status`, `/metrics`). A framework that strips its mount
   * point from `req.url` (Express `app.use('/diag', handler)`) needs none.
   */
  basePath?: string
  /**
   * Serves `POST <base>/reload`, answering the ReconfigureReport (see reload-route.ts).
   * Changing the configuration is not for anyone who can reach the port: requires `token`.
   */
  reload?: ReloadFunction
}

/** Connect/Express style: called for a request the handler does not own, or with an error. */
export type NextFunction = (error?: unknown) => void

/** A Node request listener, usable as `http.createServer(handler)` or as middleware. */
export type StatusHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void

const ALLOWED_METHODS = 'GET, HEAD'
const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="xmpp-federation"' }

/**
 * Serves a federation's live status over HTTP, for people, `xmpp-federation status URL` and
 * Prometheus: `GET <base>/status` (JSON: the FederationStatus, plus `configFingerprint`) and
 * `GET <base>/metrics` (Prometheus text, `renderPrometheus`). HEAD works on both; other
 * methods are answered 405. With `reload` (and `token`), `POST <base>/reload` too. Any other
 * path goes to `next()`, or is answered 404 without one.
 */
export function createStatusHandler(options: StatusHandlerOptions): StatusHandler {
  const base = normaliseBasePath(options.basePath)
  if (options.reload && options.token === undefined) {
    throw new TypeError(
      'createStatusHandler: `reload` needs a `token`, or anyone reaching the port could reload',
    )
  }
  const reload = options.reload && { path: `${base}/reload`, route: reloadRoute(options.reload) }
  const authorised = options.token === undefined ? () => true : bearerTokenCheck(options.token)
  const statusDocument = statusDocumentBuilder(() => options.federation.status(), options.config)
  const routes: Record<string, (res: ServerResponse) => void> = {
    [`${base}/status`]: (res) =>
      respond(res, 200, JSON_CONTENT_TYPE, `${JSON.stringify(statusDocument(), null, 2)}\n`),
    [`${base}/metrics`]: (res) =>
      respond(res, 200, PROMETHEUS_CONTENT_TYPE, renderPrometheus(options.federation.status())),
  }

  return (req, res, next) => {
    const path = requestPath(req.url)
    if (reload && path === reload.path) {
      if (authorised(req)) reload.route(req, res)
      else respondError(res, 401, 'not-authorized', 'send Authorization: Bearer <token>', BEARER_CHALLENGE)
      return
    }
    const route = path === undefined ? undefined : routes[path]
    if (!route) {
      if (next) next()
      else respondError(res, 404, 'item-not-found', `no such endpoint: ${path ?? req.url}`)
      return
    }
    if (!authorised(req)) {
      const challenge = { 'www-authenticate': 'Bearer realm="xmpp-federation"' }
      respondError(res, 401, 'not-authorized', 'send Authorization: Bearer <token>', challenge)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const allow = { allow: ALLOWED_METHODS }
      respondError(res, 405, 'not-allowed', `${path} takes ${ALLOWED_METHODS}`, allow)
      return
    }
    try {
      route(res)
    } catch (error) {
      // A host with a pipeline (Express, Connect) reports errors its own way.
      if (next) next(error)
      else respondError(res, 500, 'internal-server-error', 'the status could not be read')
    }
  }
}
