import { type OutboundAuthStream, requireDomain } from '@xmpp-federation/stream'
import { dialbackSupport } from './elements.js'
import { DialbackError } from './errors.js'
import { exchangeKey, type OriginatingDeps } from './originating.js'

export type PairRequester = (
  session: OutboundAuthStream,
  localDomain: string,
  remoteDomain: string,
) => Promise<void>

/**
 * Initiating server, one more domain pair on an established outbound stream
 * (XEP-0220 §2.6, "piggybacking"): a new sender domain (§2.6.1) or a new
 * target domain (§2.6.2). Concurrent requests for one pair share one exchange.
 */
export function createPairRequester(deps: OriginatingDeps & { mechanism: string }): PairRequester {
  const pending = new WeakMap<OutboundAuthStream, Map<string, Promise<void>>>()

  return async (session, localDomain, remoteDomain) => {
    const local = requireDomain(localDomain, 'local domain')
    const remote = requireDomain(remoteDomain, 'remote domain')
    if (!session.localDomains.has(local)) throw new TypeError(`${local} is not one of our domains`)
    if (session.isAuthenticated(local, remote)) return
    if (session.phase !== 'established') {
      throw new DialbackError('unexpected-request', 'the stream is not established yet')
    }
    // §2.6.2: target multiplexing only with a peer that handles dialback errors.
    if (remote !== session.remoteDomain && !dialbackSupport(session.features, session.peerHeader).errors) {
      throw new DialbackError(
        'feature-not-implemented',
        `${session.remoteDomain} did not announce dialback errors: no other target domain on its stream`,
      )
    }
    const decision = deps.allowed(remote, session)
    if (!decision.allowed) {
      throw new DialbackError(
        decision.condition ?? 'policy-violation',
        decision.reason ?? 'refused by policy',
      )
    }

    const requests = pending.get(session) ?? new Map<string, Promise<void>>()
    pending.set(session, requests)
    const pair = `${local} ${remote}`
    let request = requests.get(pair)
    if (!request) {
      request = exchangeKey(session, local, remote, deps)
        .then(() => session.authenticate(local, remote, deps.mechanism))
        .finally(() => requests.delete(pair))
      requests.set(pair, request)
    }
    return request
  }
}
