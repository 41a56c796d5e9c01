import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FederationConfig } from '@xmpp-federation/config'
import { createStatusHandler, type ReloadFunction, type StatusSource } from '@xmpp-federation/diagnostics'
import { dialback } from '@xmpp-federation/dialback'

/** Answers a request when it is one of the status routes; false leaves it to the gateway's own. */
export interface StatusRoutes {
  (req: IncomingMessage, res: ServerResponse): boolean
  /** Ends the status pages' event streams, so the HTTP server can close. */
  close(): void
}

/**
 * The status, metrics and status page come from the diagnostics handler, mounted twice so the
 * gateway's URLs stay: under /api (`/api/status`, `/api/metrics`, the page at `/api/ui`) and
 * at the root (`/metrics`, also `/status`; no second page). A failure inside it is thrown to
 * the gateway's own error handling.
 */
export function statusRoutes(
  federation: StatusSource,
  /** Read at every request: after a reload the status shows the new configuration. */
  config: () => FederationConfig,
  admin?: { token: string; reload: ReloadFunction },
): StatusRoutes {
  // The page's doctor authenticates as the gateway does: SASL EXTERNAL, then dialback if configured
  // (with the secret of the configuration the gateway started with).
  const { dialback: dialbackSettings } = config()
  const doctor = { mechanisms: dialbackSettings ? [dialback({ secret: dialbackSettings.secret })] : [] }
  const handlers = [
    createStatusHandler({ federation, config, basePath: '/api', doctor }),
    createStatusHandler({ federation, config, basePath: '', statusPage: false }),
  ]
  // `POST /api/reload` needs the token; the status routes above stay open as before and answer first.
  if (admin)
    handlers.push(createStatusHandler({ federation, config, basePath: '/api', statusPage: false, ...admin }))
  const routes = (req: IncomingMessage, res: ServerResponse) =>
    handlers.some((handler) => {
      let passed = false
      handler(req, res, (error) => {
        if (error !== undefined) throw error
        passed = true
      })
      return !passed
    })
  const close = () => {
    for (const handler of handlers) handler.close()
  }
  return Object.assign(routes, { close })
}
