import type { FederationConfig } from '@xmpp-federation/config'
import { dialback } from '@xmpp-federation/dialback'
import { type AuthMechanism, saslExternal } from '@xmpp-federation/stream'
import type { AuthChoice, AuthFactory, FederationComponents } from './components.js'

/**
 * The mechanisms the configuration asks for, in the order they are tried:
 * certificates first (SASL EXTERNAL, XEP-0178), then Server Dialback (XEP-0220)
 * where the config allows it anywhere, keyed with `dialback.secret` — the one
 * place the secret is given.
 */
export function defaultAuthFactories(config: FederationConfig): AuthFactory[] {
  const factories: AuthFactory[] = [() => saslExternal()]
  if (dialbackAllowedAnywhere(config)) {
    factories.push(({ logger }) =>
      dialback({ ...(config.dialback?.secret ? { secret: config.dialback.secret } : {}), logger }),
    )
  }
  return factories
}

/** Builds the mechanisms a host chose (or the defaults), each once, from the components. */
export function buildAuth(
  choice: AuthChoice | undefined,
  components: FederationComponents,
): readonly AuthMechanism[] {
  const defaults = defaultAuthFactories(components.config)
  const chosen = choice === undefined ? defaults : typeof choice === 'function' ? choice(defaults) : choice
  return chosen.map((entry) => (typeof entry === 'function' ? entry(components) : entry))
}

function dialbackAllowedAnywhere(config: FederationConfig): boolean {
  if (config.security.dialback) return true
  return Object.values(config.policy.domains).some((domain) => domain.dialback === true)
}
