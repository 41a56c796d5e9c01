import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ReconfigureReport } from '@xmpp-federation/router'
import { JSON_CONTENT_TYPE, respond, respondError } from './respond.js'

/** Reloads the federation's configuration (e.g. re-reads its file and calls `federation.reconfigure`). */
export type ReloadFunction = () => Promise<ReconfigureReport>

/** Bodies are not read: the reload takes nothing from the request but its authority. */
const MAX_IGNORED_BODY_BYTES = 64 * 1024

/**
 * `POST <base>/reload`: runs the host's reload and answers its report (200), or the refusal
 * with every problem (422 `{ error: { condition: 'bad-request', message, issues } }`, the old
 * configuration still serving), or 500 when the reload itself failed. Other methods: 405.
 * The token check happens before, in the status handler.
 */
export function reloadRoute(reload: ReloadFunction): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'POST') {
      respondError(res, 405, 'not-allowed', 'reload takes POST', { allow: 'POST' })
      return
    }
    discardBody(req)
    // A host function that throws instead of rejecting is answered the same way.
    Promise.resolve()
      .then(reload)
      .then(
        (report) => respond(res, 200, JSON_CONTENT_TYPE, `${JSON.stringify(report, null, 2)}\n`),
        (error: unknown) => {
          const failure = error as { issues?: unknown; message?: string } | null | undefined
          if (Array.isArray(failure?.issues)) {
            const body = {
              error: { condition: 'bad-request', message: failure.message, issues: failure.issues },
            }
            respond(res, 422, JSON_CONTENT_TYPE, `${JSON.stringify(body, null, 2)}\n`)
          } else {
            respondError(
              res,
              500,
              'internal-server-error',
              `reload failed: ${failure?.message ?? String(error)}`,
            )
          }
        },
      )
  }
}

/** Drains what a client sends, up to a bound; past it the connection is cut. */
function discardBody(req: IncomingMessage): void {
  let received = 0
  req.on('data', (chunk: Buffer) => {
    received += chunk.length
    if (received > MAX_IGNORED_BODY_BYTES) req.destroy()
  })
}
