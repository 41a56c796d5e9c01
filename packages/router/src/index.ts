/**
 * `createFederation()`: what a host composes to federate over XMPP s2s.
 *
 * @example
 * ```ts
 * import { createFederation } from '@xmpp-federation/router'
 * import { xml } from '@xmpp-federation/router'
 *
 * const federation = createFederation({ config: { domains: ['c.test'], listen: [{ host: '127.0.0.4' }], tls: { cert, key } } })
 * federation.on('stanza', (stanza) => console.log('for a local user:', stanza.toString()))
 * await federation.start()
 * await federation.send(xml('message', { from: 'bot@c.test', to: 'alice@a.test' }, xml('body', {}, 'hi')))
 * ```
 * @packageDocumentation
 */
export { errorReply, MAX_ERROR_PAYLOAD, shouldReturnError } from './bounce.js'
export type {
  ClusterEvent,
  ClusterHost,
  ClusterLeaseStatus,
  ClusterNodeStatus,
  ClusterOutboxStatus,
  ClusterPort,
  ClusterStatus,
  DurableStanza,
  SharedPeerSoftwareCache,
} from './cluster-port.js'
export {
  type AuthChoice,
  type AuthFactory,
  type Clock,
  type FederationComponents,
  systemClock,
} from './components.js'
export { defaultAuthFactories } from './default-auth.js'
export type { IqHandler, IqHandlerRegistration } from './domain-services.js'
export { DeliveryError, UsageError } from './errors.js'
export {
  createFederation,
  Federation,
  type FederationEvents,
  type FederationOptions,
  MAX_PENDING_USER_LOOKUPS,
} from './federation.js'
export type { LinkState } from './outbound-link.js'
export type { PeerSoftwareOptions } from './peer-software-check.js'
export type { PendingStanza } from './queue.js'
export * from './resolve/index.js'
export type { DomainStatus, FederationStatus } from './status.js'
export type { DomainTotals } from './traffic-totals.js'
export type { BounceEvent, InboundStanzaInfo, SessionEvent } from './types.js'
export type { UserDirectory } from './user-directory.js'
export { type XmlChild, xml } from './xml.js'
