import type { AuthComponents, InboundAuthStream } from '@xmpp-federation/stream'
import { DialbackError } from './errors.js'
import type { VerificationLimiter } from './limits.js'
import { peerAddressKey } from './peer-address.js'
import { askAuthoritativeServer, type VerificationRequest } from './verification.js'

export type Verifier = (
  session: InboundAuthStream,
  request: VerificationRequest,
) => Promise<'valid' | 'invalid'>

/**
 * Asks the authoritative server only within the limiter's bounds; a refused
 * request fails with the limiter's condition (`resource-constraint`, or
 * `policy-violation` past the stream's pair budget) and costs no lookup.
 *
 * The slot is held until the outbound stream is really gone, not just until
 * our deadline: the host's dial (DNS, connect, TLS) goes on after we stop
 * waiting for it, and it is that work, with its file descriptor, the bound is for.
 * So the host's `openVerificationStream` never has more calls pending than the
 * limits allow, and needs no bound of its own for dialback's sake.
 */
export function boundedVerifier(
  limiter: VerificationLimiter,
  open: AuthComponents['openVerificationStream'],
  timeoutMs: number,
): Verifier {
  return async (session, request) => {
    const pair = `${request.receiving} ${request.originating}`
    const admission = limiter.admit(session, peerAddressKey(session.remoteAddress), pair)
    if (!admission.admitted) throw new DialbackError(admission.condition, admission.reason)
    let dialOver: Promise<unknown> = Promise.resolve()
    const tracked: typeof open = (local, remote) => {
      const opening = open(local, remote)
      dialOver = opening.then(
        (stream) => stream.closed,
        () => {},
      )
      return opening
    }
    try {
      return await askAuthoritativeServer(tracked, request, timeoutMs)
    } finally {
      void dialOver.then(admission.release)
    }
  }
}
