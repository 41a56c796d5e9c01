import type { InboundAuthStream, StanzaErrorCondition } from '@xmpp-federation/stream'
import type { Verifier } from './bounded-verification.js'
import { type DialbackElement, resultAnswer } from './elements.js'
import { DialbackError } from './errors.js'
import type { DialbackPolicy } from './policy.js'
import { sendIfOpen } from './send.js'

export interface ReceivingDeps {
  readonly allowed: DialbackPolicy
  /** Asks the authoritative server (steps 2 and 3) within the limits; rejects with a DialbackError. */
  readonly verify: Verifier
  /** Pairs being verified per stream, so a repeated key does not start a second round. */
  readonly inFlight: WeakMap<InboundAuthStream, Set<string>>
}

/**
 * Receiving server, an inbound `<db:result/>` (XEP-0220 §2.2.1): check the
 * addresses and the policy, verify the key (by certificate when TLS already
 * proves the domain, XEP-0344 §2.4, else with the authoritative server), answer
 * on this stream, and authorise the pair on it. Works for the first pair and
 * for further pairs on an established stream (§2.6 multiplexing).
 */
export async function receiveResult(
  session: InboundAuthStream,
  request: DialbackElement,
  deps: ReceivingDeps,
): Promise<void> {
  const { logger } = session
  const refuse = (condition: StanzaErrorCondition, text: string) => {
    logger.info({ from: request.rawFrom, to: request.rawTo, condition, reason: text }, 'dialback refused')
    sendIfOpen(session, resultAnswer(request.rawTo, request.rawFrom, 'error', { condition, text }))
  }

  const receiving = request.to
  const originating = request.from
  // §2.2.1: a target we do not serve is a dialback error, never a stream error.
  if (!receiving || !session.localDomains.has(receiving)) {
    return refuse('item-not-found', `${request.rawTo || '(no to)'} is not served here`)
  }
  if (!originating) return refuse('bad-request', `${request.rawFrom || '(no from)'} is not a domain`)
  if (session.localDomains.has(originating)) {
    return refuse('forbidden', `${originating} is served here; a peer cannot authenticate as it`)
  }
  if (session.isAuthenticated(receiving, originating)) {
    sendIfOpen(session, resultAnswer(receiving, originating, 'valid'))
    return
  }
  const decision = deps.allowed(originating, session)
  if (!decision.allowed) {
    return refuse(decision.condition ?? 'policy-violation', decision.reason ?? 'refused by policy')
  }

  const pair = `${receiving} ${originating}`
  const pending = deps.inFlight.get(session) ?? new Set<string>()
  deps.inFlight.set(session, pending)
  if (pending.has(pair)) return // the first request is still being verified
  pending.add(pair)
  try {
    const verdict = await verdictFor(session, receiving, originating, request.key, deps)
    if (session.phase === 'closing' || session.phase === 'closed') return
    if (verdict === 'valid') {
      session.send(resultAnswer(receiving, originating, 'valid'))
      session.authenticate(receiving, originating, 'dialback')
    } else {
      rejectForgedKey(session, receiving, originating)
    }
  } catch (error) {
    const failure =
      error instanceof DialbackError
        ? error
        : new DialbackError('internal-server-error', (error as Error).message, { cause: error })
    refuse(failure.condition, failure.text ?? failure.message)
  } finally {
    pending.delete(pair)
  }
}

async function verdictFor(
  session: InboundAuthStream,
  receiving: string,
  originating: string,
  key: string,
  deps: ReceivingDeps,
): Promise<'valid' | 'invalid'> {
  // XEP-0344 §2.4 "dialback without dialback": checked now, at the time of the key (§3).
  if (session.tls?.peerCertificate?.validFor(originating)) {
    session.logger.debug(
      {
        local: receiving,
        remote: originating,
      },
      'dialback key accepted on the certificate (XEP-0344)',
    )
    return 'valid'
  }
  return deps.verify(session, { receiving, originating, streamId: session.streamId, key })
}

/**
 * §2.2.1: an invalid key means a spoofing attempt, and the stream must close.
 * When the stream already carries other verified pairs, §2.1.2 lets us answer
 * `forbidden` instead, which refuses this pair and keeps the others.
 */
function rejectForgedKey(session: InboundAuthStream, receiving: string, originating: string): void {
  session.logger.warn(
    {
      local: receiving,
      remote: originating,
    },
    'dialback key judged invalid by the authoritative server',
  )
  if (session.authenticatedPairs.length > 0) {
    const error = { condition: 'forbidden' as const, text: `the key for ${originating} is invalid` }
    session.send(resultAnswer(receiving, originating, 'error', error))
    return
  }
  session.send(resultAnswer(receiving, originating, 'invalid'))
  void session.close('not-authorized', `invalid dialback key for ${originating}`)
}
