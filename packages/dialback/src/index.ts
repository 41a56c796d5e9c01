/**
 * Server Dialback (XEP-0220) for `@xmpp-federation/stream`: the originating,
 * receiving and authoritative roles, XEP-0185 keys, several domain pairs on one
 * stream (piggybacking), and XEP-0344's rules for dialback over TLS.
 *
 * @example
 * ```ts
 * import { dialback } from '@xmpp-federation/dialback'
 * import { connectStream, createStreamContext, saslExternal } from '@xmpp-federation/stream'
 *
 * const db = dialback({ secret: process.env.DIALBACK_SECRET })
 * const context = createStreamContext({ localDomains: ['c.test'], auth: [saslExternal(), db], tls, security })
 * // The receiving role reaches authoritative servers through the host:
 * db.start({
 *   openVerificationStream: (local, remote) =>
 *     connectStream({ context, localDomain: local, remoteDomain: remote, host, port: 5269, authenticate: false }),
 * })
 * ```
 * @packageDocumentation
 */
export {
  DEFAULT_TIMEOUT_MS,
  DIALBACK,
  type DialbackMechanism,
  type DialbackOptions,
  dialback,
  requestPair,
} from './dialback.js'
export {
  type DialbackElement,
  type DialbackKind,
  type DialbackSupport,
  type DialbackVerdict,
  dialbackFeature,
  dialbackSupport,
  parseDialback,
  resultAnswer,
  resultRequest,
  verifyAnswer,
  verifyRequest,
} from './elements.js'
export { DialbackError, errorTypeFor } from './errors.js'
export { createKeyMaker, dialbackKey, type KeyMaker, keysEqual } from './keys.js'
export {
  type Admission,
  DEFAULT_VERIFICATION_LIMITS,
  VerificationLimiter,
  type VerificationLimits,
} from './limits.js'
export { peerAddressKey } from './peer-address.js'
export { type DialbackDecision, type DialbackPolicy, tlsPolicy } from './policy.js'
