import type { FederationConfig } from '@xmpp-federation/config'
import {
  createDomainPolicy,
  type DecisionEvent,
  type DomainPolicy,
  type EmailDirectory,
  type PolicyInput,
  type PolicyProblem,
} from '@xmpp-federation/policy'

/** The policy's view of a deployment config (config says `domains`, policy `localDomains`). */
export function policyInputFrom(config: FederationConfig): PolicyInput {
  return {
    localDomains: config.domains,
    security: config.security,
    policy: config.policy,
    emailForFederation: config.emailForFederation,
  }
}

/** A configuration the policy calls wrong (e.g. a domain both SIP- and XMPP-federated). */
export class PolicyConfigurationError extends Error {
  static override readonly name = 'PolicyConfigurationError'
  override readonly name = 'PolicyConfigurationError'

  constructor(readonly problems: readonly PolicyProblem[]) {
    super(
      `invalid federation policy:\n${problems.map((p) => `  ${p.path}: ${p.message} (fix: ${p.fix})`).join('\n')}`,
    )
  }
}

/**
 * Builds the domain policy from the config, refusing to start with a policy
 * error (SIP-to-XMPP migration not done, no way to authenticate...): a
 * half-working federation is worse than none.
 */
export function createPolicyFor(
  config: FederationConfig,
  options: { directory?: EmailDirectory; onDecision: (event: DecisionEvent) => void },
): DomainPolicy {
  const policy = createDomainPolicy(policyInputFrom(config), options)
  const errors = policy.problems.filter((problem) => problem.severity === 'error')
  if (errors.length > 0) throw new PolicyConfigurationError(errors)
  return policy
}
