import type { FederationConfig } from '@xmpp-federation/config'
import { createFederationList } from '@xmpp-federation/policy'
import { type ConfigFinding, finding } from './finding.js'

/** A static route for a domain the policy refuses is dead configuration, or a policy mistake. */
export function routesDeniedByPolicy(config: FederationConfig): ConfigFinding[] {
  const federation = createFederationList(config.policy)
  return Object.keys(config.routes).flatMap((domain) => {
    const decision = federation.check(domain)
    if (decision.allowed) return []
    return [
      finding(
        'error',
        'ROUTE_DENIED_BY_POLICY',
        `routes.${domain}`,
        `routes ${domain}, which the policy refuses (${decision.reason}): the route is never used`,
        decision.code === 'NOT_ALLOWLISTED'
          ? `add ${domain} to policy.allow to federate with it, or remove routes.${domain}`
          : `remove routes.${domain}, or the policy.deny entry if federation with ${domain} is wanted`,
      ),
    ]
  })
}
