import type { FederationConfig } from '@xmpp-federation/config'
import type { DomainPolicy } from '@xmpp-federation/policy'
import type { AuthMechanism, Logger, S2SSession } from '@xmpp-federation/stream'

/** Time as the federation reads it; tests may pass their own. */
export interface Clock {
  /** Milliseconds since the epoch, as Date.now() gives them. */
  now(): number
}

/** The real clock; tests pass their own Clock to control time. */
export const systemClock: Clock = { now: () => Date.now() }

/**
 * What the composition root builds once and lends every plugin (auth
 * mechanisms now; the cluster engine and status handler next), in the way
 * `createLibp2p` hands its components to transports and encrypters.
 */
export interface FederationComponents {
  /** The validated configuration. */
  readonly config: FederationConfig
  readonly logger: Logger
  readonly policy: DomainPolicy
  readonly clock: Clock
  /** Opens a resolved, secured, unauthenticated stream (dialback's verification, XEP-0220 §2.3). */
  openVerificationStream(localDomain: string, remoteDomain: string): Promise<S2SSession>
}

/** Makes one auth mechanism for a federation, from its components. */
export type AuthFactory = (components: FederationComponents) => AuthMechanism

/**
 * How a host chooses auth mechanisms: a list (replacing the defaults the config
 * implies), or a function from those defaults to the list (to add or reorder).
 * A list may hold ready mechanisms as well as factories.
 */
export type AuthChoice =
  | readonly (AuthFactory | AuthMechanism)[]
  | ((defaults: readonly AuthFactory[]) => readonly (AuthFactory | AuthMechanism)[])
