import { type OutboundSession, requireDomain, type S2SSession } from '@xmpp-federation/stream'
import { dialbackSupport } from './elements.js'
import { DialbackError } from './errors.js'
import { exchangeKey, type OriginatingDeps } from './originating.js'

export type PairRequester = (session: S2SSession, localDomain: string, remoteDomain?: string) => Promise<void>

/**
 * Initiating server, one more domain pair on an established outbound stream
 * (XEP-0220 §2.6, "piggybacking"): a new sender domain (§2.6.1) or a new
 * target domain (§2.6.2). Concurrent requests for one pair share one exchange.
 */
export function createPairRequester(deps: OriginatingDeps & { mechanism: string }): PairRequester {
  const pending = new WeakMap<S2SSession, Map<string, Promise<void>>>()

  return async (session, localDomain, remoteDomain) => {
    const local = requireDomain(localDomain, 'local domain')
    const remote = requireDomain(remoteDomain ?? session.remoteDomain ?? '', 'remote domain')
    if (session.direction !== 'outbound') throw new TypeError('pairs are requested on outbound streams')
    if (!session.context.localDomains.has(local)) throw new TypeError(`${local} is not one of our domains`)
    if (session.isAuthenticated(local, remote)) return
    if (session.phase !== 'established') {
      throw new DialbackError('unexpected-request', 'the stream is not established yet')
    }
    const outbound = session as OutboundSession
    // §2.6.2: target multiplexing only with a peer that handles dialback errors.
    if (remote !== outbound.remoteDomain && !dialbackSupport(outbound.features, outbound.peerHeader).errors) {
      throw new DialbackError(
        'feature-not-implemented',
        `${outbound.remoteDomain} did not announce dialback errors: no other target domain on its stream`,
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
        .then(() => session.authenticatePair(local, remote, deps.mechanism))
        .finally(() => requests.delete(pair))
      requests.set(pair, request)
    }
    return request
  }
}
