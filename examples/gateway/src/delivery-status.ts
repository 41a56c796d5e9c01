import { DeliveryError } from '@xmpp-federation/router'
import { ApiError } from './http-io.js'

/**
 * The HTTP status that tells an application what a stanza error condition
 * means for it: its own mistake (4xx), a refusal by policy (403), a remote
 * server that failed (502) or did not answer in time (504), or a full queue (503).
 */
const STATUS_BY_CONDITION: Record<string, number> = {
  'bad-request': 400,
  'jid-malformed': 400,
  'not-acceptable': 400,
  'policy-violation': 403,
  forbidden: 403,
  'not-allowed': 403,
  'not-authorized': 403,
  'remote-server-timeout': 504,
  'resource-constraint': 503,
  'internal-server-error': 500,
}

export function statusForCondition(condition: string): number {
  return STATUS_BY_CONDITION[condition] ?? 502
}

/** A failed send as the API answers it; anything but a DeliveryError is our own bug (500). */
export function deliveryFailure(error: unknown): ApiError {
  if (error instanceof DeliveryError) {
    const status = statusForCondition(error.condition)
    const headers: Record<string, string> = status === 503 ? { 'retry-after': '5' } : {}
    return new ApiError(status, error.condition, error.message, headers)
  }
  if (error instanceof ApiError) return error
  return new ApiError(500, 'internal-server-error', (error as Error)?.message ?? String(error))
}
