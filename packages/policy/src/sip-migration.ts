import { allow, type Decision, refuse } from './decision.js'
import { createDomainList, type DomainList } from './domain-match.js'
import { normalizeDomain } from './domain-name.js'
import { createFederationList, type FederationList } from './federation-list.js'
import type { PolicyInput } from './types.js'

/**
 * SIP-to-XMPP migration. A domain once federated over SIP must be removed from the
 * SIP list before XMPP federation with it is enabled (the seed's ciscoexample.com
 * example): otherwise the two federations fight over the same contacts and the result
 * half works. Configuration validation names the domain; at run time the domain is
 * refused until the SIP entry is gone.
 */
export function checkSipFederation(domain: string, sipList: DomainList): Decision {
  const entry = sipList.match(domain)
  if (entry === undefined) return allow(`${domain} is not a SIP-federated domain`)
  return refuse(
    'SIP_FEDERATED',
    `${domain} is still configured for SIP federation (sipFederatedDomains entry ${entry}); ` +
      `remove it from sipFederatedDomains before enabling XMPP federation with it`,
  )
}

/** The wording of the fix, shared by validation and the migration plan. */
export function sipRemovalFix(entry: string): string {
  return `remove ${entry} from sipFederatedDomains before enabling XMPP federation with it`
}

/** One step of moving a domain from SIP to XMPP federation, and whether it is done. */
export interface MigrationStep {
  readonly done: boolean
  readonly text: string
}

/** Where one domain stands in its move from SIP to XMPP federation. */
export interface MigrationPlan {
  readonly domain: string
  /** Enabling XMPP federation with the domain now would not leave it SIP-federated too. */
  readonly safe: boolean
  /** Every step is done: the domain federates over XMPP only. */
  readonly complete: boolean
  /** In order; do the first step that is not done. */
  readonly steps: readonly MigrationStep[]
}

/**
 * Works out the migration plan for `domain` from the policy (and the SIP and federation lists, when the
 * caller has them built already).
 */
export function migrationPlan(
  input: Pick<PolicyInput, 'policy'>,
  domain: string,
  lists: { sip?: DomainList; federation?: FederationList } = {},
): MigrationPlan {
  const normalized = normalizeDomain(domain)
  if (normalized === undefined) {
    const text = `fix the domain name: ${JSON.stringify(domain)} is not a valid domain`
    return { domain, safe: false, complete: false, steps: [{ done: false, text }] }
  }
  const sipList = lists.sip ?? createDomainList(input.policy.sipFederatedDomains)
  const federation = lists.federation ?? createFederationList(input.policy)

  const sipEntry = sipList.match(normalized)
  const removeSip: MigrationStep =
    sipEntry === undefined
      ? { done: true, text: `${normalized} is not in sipFederatedDomains` }
      : {
          done: false,
          text: `${sipRemovalFix(sipEntry)}, and delete it as a SIP federated domain on the SIP side (e.g. Cisco Unified Presence)`,
        }

  const enable = enableStep(normalized, input.policy, federation.check(normalized))
  const steps = [removeSip, enable]
  return { domain: normalized, safe: removeSip.done, complete: steps.every((step) => step.done), steps }
}

function enableStep(domain: string, policy: PolicyInput['policy'], decision: Decision): MigrationStep {
  if (decision.allowed) {
    return { done: true, text: `XMPP federation with ${domain} is enabled (mode ${policy.mode})` }
  }
  if (decision.code === 'DENYLISTED') {
    const entry = createDomainList(policy.deny).match(domain)
    return { done: false, text: `then enable XMPP federation: remove ${entry} from policy.deny` }
  }
  return { done: false, text: `then enable XMPP federation: add ${domain} to policy.allow` }
}
