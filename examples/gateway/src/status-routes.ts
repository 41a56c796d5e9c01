import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FederationConfig } from '@xmpp-federation/config'
import { createStatusHandler, type ReloadFunction, type StatusSource } from '@xmpp-federation/diagnostics'

/** Answers a request when it is one of the status routes; false leaves it to the gateway's own. */
export type StatusRoutes = (req: IncomingMessage, res: ServerResponse) => boolean

/**
 * The status and metrics come from the diagnostics handler, mounted twice so the gateway's
 * URLs stay: under /api (`/api/status`, also `/api/metrics`) and at the root (`/metrics`, also
 * `/status`). A failure inside it is thrown to the gateway's own error handling.
 */
export function statusRoutes(
  federation: StatusSource,
  config: FederationConfig,
  admin?: { token: string; reload: ReloadFunction },
): StatusRoutes {
  const handlers = ['/api', ''].map((basePath) => createStatusHandler({ federation, config, basePath }))
  // `POST /api/reload` needs the token; the status routes above stay open as before and answer first.
  if (admin) handlers.push(createStatusHandler({ federation, config, basePath: '/api', ...admin }))
  return (req, res) =>
    handlers.some((handler) => {
      let passed = false
      handler(req, res, (error) => {
        if (error !== undefined) throw error
        passed = true
      })
      return !passed
    })
}
