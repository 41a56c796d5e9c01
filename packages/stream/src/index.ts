/**
 * One hardened XMPP server-to-server stream, both roles.
 *
 * @example
 * ```ts
 * import { connectStream, createStreamContext, createTlsIdentity, createTrustAnchors, saslExternal } from '@xmpp-federation/stream'
 *
 * const context = createStreamContext({
 *   localDomains: ['c.test'],
 *   auth: [saslExternal()],
 *   tls: createTlsIdentity({ anchors: createTrustAnchors({ ca: [caPem] }), credentials: { '*': { cert, key } } }),
 * })
 * const stream = await connectStream({ context, localDomain: 'c.test', remoteDomain: 'a.test', host: '127.0.0.2', port: 5269 })
 * stream.sendStanza(message)
 * ```
 * @packageDocumentation
 */
export {
  type AddressThrottle,
  type AddressThrottleOptions,
  createAddressThrottle,
  DEFAULT_CONNECTIONS_PER_SECOND_PER_ADDRESS,
  DEFAULT_MAX_THROTTLE_ADDRESSES,
  type ThrottledAddress,
} from './address-throttle.js'
export type * from './auth.js'
export {
  createStreamContext,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type StreamContext,
  type StreamContextOptions,
  type StreamLimits,
  type StreamTimeouts,
} from './context.js'
export {
  type CanonicalForm,
  canonicalAddress,
  canonicalForm,
  canonicalizeAddresses,
  domainOfAddress,
  normalizeDomain,
  parseAddress,
  readStanzaAddresses,
  requireDomain,
  type StanzaAddresses,
} from './domain.js'
export * from './errors.js'
export { type HeaderFields, openingHeader, type PeerHeader } from './header.js'
export { acceptStream, InboundSession } from './inbound.js'
export { DEFAULT_MAX_PENDING_CONNECTIONS, type ListenOptions, listen } from './listener.js'
export { type Logger, type LoggerOption, resolveLogger, silentLogger, stderrLogger } from './logger.js'
export { NS } from './namespaces.js'
export { type ConnectOptions, connectStream, OutboundSession } from './outbound.js'
export { OutputBudget } from './output-budget.js'
export { saslExternal } from './sasl-external.js'
export {
  type Credentials,
  createTlsIdentity,
  type SecurityPolicy,
  type TlsIdentity,
  type TlsMode,
} from './security.js'
export { SerializedStanza } from './serialized-stanza.js'
export type {
  CloseInfo,
  Direction,
  PeerCertificate,
  S2SSession,
  SessionEvents,
  SessionPhase,
  TlsState,
} from './session.js'
export { parseStreamError, streamErrorElement } from './stream-error.js'
export {
  DEFAULT_STREAM_MANAGEMENT,
  NS_SM,
  StreamManagement,
  type StreamManagementFailure,
  type StreamManagementOptions,
  type UnackedLimits,
} from './stream-management.js'
export * from './tls/index.js'
export { S2S_SECURE_OPTIONS } from './tls-options.js'
export { ALPN_XMPP_SERVER } from './tls-upgrade.js'
export type { AckReceipt, StanzaTracking, UnacknowledgedStanza } from './unacked-log.js'
export * from './xml/index.js'
