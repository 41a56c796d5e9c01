import type {
  AuthComponents,
  AuthMechanism,
  InboundAuthStream,
  Logger,
  OutboundAuthStream,
  OutboundSession,
} from '@xmpp-federation/stream'
import { answerVerify } from './authoritative.js'
import { boundedVerifier, type Verifier } from './bounded-verification.js'
import { dialbackFeature, parseDialback } from './elements.js'
import { DialbackError } from './errors.js'
import { createKeyMaker } from './keys.js'
import { VerificationLimiter, type VerificationLimits } from './limits.js'
import { authenticateOutbound } from './originating.js'
import { createPairRequester } from './piggyback.js'
import { type DialbackPolicy, tlsPolicy } from './policy.js'
import { receiveResult } from './receiving.js'
import { RANDOM_SECRET_WARNING, resolveSecret } from './secret.js'

/** Server Dialback's settings: the shared secret, the timeout, who may use it, bounds on verifications. */
export interface DialbackOptions {
  /**
   * The secret keys are made from (XEP-0185). Give every node of a deployment
   * the same one: then any node can answer a `db:verify` for a stream another
   * node opened. Default: random per process, with a warning.
   */
  secret?: string
  /**
   * How long one attempt may take, in ms: waiting for the receiving server's
   * verdict, and (receiving side) reaching and hearing the authoritative server.
   * Default 15 000.
   */
  timeoutMs?: number
  /** Whether dialback may authenticate a domain on a stream. Default: {@link tlsPolicy}. */
  allowed?: DialbackPolicy
  /**
   * Bounds on the verifications the receiving role runs for peers (each one a
   * DNS lookup and an outbound connection to a name the peer chose). Past an
   * in-flight bound the `db:result` is answered `resource-constraint` (type
   * wait); past the per-stream pair budget, `policy-violation`. Defaults:
   * {@link DEFAULT_VERIFICATION_LIMITS}.
   */
  limits?: VerificationLimits
  /** Where the missing-secret warning goes before any stream exists; later logs use the stream's logger. */
  logger?: Logger
}

/** The mechanism name dialback reports, e.g. in `authenticated` events and status. */
export const DIALBACK = 'dialback'
/** How long one dialback exchange may take by default before it counts as failed. */
export const DEFAULT_TIMEOUT_MS = 15_000

/** Server Dialback as a stream auth mechanism, plus piggybacking on established streams. */
export interface DialbackMechanism extends AuthMechanism {
  readonly name: typeof DIALBACK
  /** The host lends the way to reach other servers; until then the receiving role answers errors. */
  start(components: AuthComponents): void
  /**
   * Authorises one more domain pair on an established outbound stream
   * (XEP-0220 §2.6): a new sender domain, or a new target domain when the peer
   * announced dialback errors. Resolves once the receiving server says `valid`;
   * rejects with a DialbackError (or a TypeError for a bad argument).
   */
  addPair(session: OutboundAuthStream, localDomain: string, remoteDomain: string): Promise<void>
}

/**
 * Server Dialback (XEP-0220) in its three roles: originating (outbound
 * `authenticate`), receiving (inbound `db:result`) and authoritative (inbound
 * `db:verify`), with XEP-0185 keys and XEP-0344's shortcut.
 */
export function dialback(options: DialbackOptions = {}): DialbackMechanism {
  const secret = resolveSecret(options.secret)
  const keys = createKeyMaker(secret.value)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const allowed = options.allowed ?? tlsPolicy
  const inFlight = new WeakMap<InboundAuthStream, Set<string>>()
  const limiter = new VerificationLimiter(options.limits)
  let verifier: Verifier | undefined
  let warned = false
  const warnOnce = (logger: Logger | undefined) => {
    if (!secret.generated || warned || !logger) return
    warned = true
    logger.warn({}, RANDOM_SECRET_WARNING)
  }
  warnOnce(options.logger)

  const verify: Verifier = (session, request) => {
    if (!verifier) {
      return Promise.reject(
        new DialbackError('internal-server-error', 'dialback was not started: no way to reach other servers'),
      )
    }
    return verifier(session, request)
  }

  const mechanism: DialbackMechanism = {
    name: DIALBACK,

    start(components) {
      verifier = boundedVerifier(limiter, components.openVerificationStream, timeoutMs)
    },

    advertise(session, features) {
      warnOnce(session.logger)
      features.cnode(dialbackFeature())
    },

    authenticate(session, features) {
      warnOnce(session.logger)
      if (session.direction !== 'outbound') {
        return Promise.resolve({ status: 'unavailable', reason: 'not an outbound stream' })
      }
      return authenticateOutbound(session, features, { keys, allowed, timeoutMs })
    },

    handle(session, el) {
      const request = parseDialback(el)
      if (!request) return false
      const { logger } = session
      warnOnce(logger)
      if (session.direction === 'outbound' || request.type !== undefined) {
        // Our requests' answers are taken by the waiting originating or verifying code;
        // anything else is unsolicited and must not change any state (XEP-0220 §3.1).
        logger.warn(
          {
            direction: session.direction,
            element: request.kind,
            type: request.type,
            from: request.rawFrom,
            to: request.rawTo,
          },
          'ignoring an unsolicited dialback element',
        )
        return true
      }
      if (request.kind === 'verify') {
        answerVerify(session, request, keys)
        return true
      }
      receiveResult(session, request, { allowed, verify, inFlight }).catch((error: unknown) =>
        logger.error({ error: String(error) }, 'dialback receiving failed'),
      )
      return true
    },

    addPair: createPairRequester({ keys, allowed, timeoutMs, mechanism: DIALBACK }),
  }
  return mechanism
}

/**
 * Piggybacks (local → remote) on an established outbound stream (XEP-0220 §2.6)
 * through the stream's dialback mechanism. Same as `session.requestPair()`.
 */
export function requestPair(
  session: OutboundSession,
  localDomain: string,
  remoteDomain?: string,
): Promise<void> {
  return session.requestPair(localDomain, remoteDomain)
}
