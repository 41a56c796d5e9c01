import type { FederationConfig } from '@xmpp-federation/config'
import type { DomainPolicy } from '@xmpp-federation/policy'
import type { StreamContext } from '@xmpp-federation/stream'
import type { Resolver } from '../resolve/index.js'
import { type Swappable, swappable } from './swappable.js'

/**
 * The one place a federation reads its configuration and what is built from it, so that
 * `reconfigure()` swaps them all at once: the validated config, the domain policy, the
 * stream context (domains, auth, TLS identity, limits) and the resolver.
 */
export class LiveSettings {
  readonly policy: Swappable<DomainPolicy>
  readonly context: Swappable<StreamContext>
  readonly resolver: Swappable<Resolver>

  constructor(
    private currentConfig: FederationConfig,
    parts: { policy: DomainPolicy; resolver: Resolver },
  ) {
    this.policy = swappable(parts.policy)
    // Built from auth mechanisms that are given the policy view: swapped in once they exist.
    this.context = swappable<StreamContext>()
    this.resolver = swappable(parts.resolver)
  }

  get config(): FederationConfig {
    return this.currentConfig
  }

  /** Everything at once: nothing reads a new config with an old policy in between. */
  swap(next: LiveParts): void {
    this.currentConfig = next.config
    this.policy.swap(next.policy)
    this.context.swap(next.context)
    this.resolver.swap(next.resolver)
  }
}

/** A complete set of settings to swap in. */
export interface LiveParts {
  readonly config: FederationConfig
  readonly policy: DomainPolicy
  readonly context: StreamContext
  readonly resolver: Resolver
}
