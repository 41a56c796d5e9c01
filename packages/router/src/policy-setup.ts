import type { FederationConfig } from '@xmpp-federation/config'
import {
  createDomainPolicy,
  type DecisionEvent,
  type DomainPolicy,
  type EmailDirectory,
} from '@xmpp-federation/policy'

/**
 * The domain policy of a configuration that `parseConfig` has validated: every check,
 * the SIP-to-XMPP migration and authentication included, is the config package's, so
 * the policy is built without a second opinion.
 */
export function createPolicyFor(
  config: FederationConfig,
  options: { directory?: EmailDirectory; onDecision: (event: DecisionEvent) => void },
): DomainPolicy {
  return createDomainPolicy(config, options)
}
