import { allow, type Decision, refuse } from './decision.js'
import { createDomainList } from './domain-match.js'
import { normalizeDomain } from './domain-name.js'
import type { PolicyInput } from './types.js'

/**
 * Who may federate at all, by mode:
 * - `open`: every well-formed domain, except deny entries.
 * - `denylist`: the same decisions as `open`; the name states the intent, and
 *   validation flags a denylist that is empty.
 * - `allowlist`: only domains matching an allow entry, except deny entries.
 * A deny entry wins over an allow entry wherever both match, in every mode: a deny
 * entry is never silently ignored, whatever the mode.
 */
export interface FederationList {
  /** Whether `remote` may federate with us at all under the mode and lists. */
  check(remote: string): Decision
}

/** Builds the FederationList for the policy's mode and allow/deny entries. */
export function createFederationList(
  policy: Pick<PolicyInput['policy'], 'mode' | 'allow' | 'deny'>,
): FederationList {
  const allowList = createDomainList(policy.allow)
  const denyList = createDomainList(policy.deny)
  return {
    check(remote) {
      const domain = normalizeDomain(remote)
      if (domain === undefined) {
        return refuse('INVALID_DOMAIN', `${JSON.stringify(remote)} is not a valid domain name`)
      }
      const denied = denyList.match(domain)
      if (denied !== undefined) {
        return refuse('DENYLISTED', `${domain} matches deny entry ${denied}`)
      }
      if (policy.mode !== 'allowlist') {
        return allow(`${domain} may federate (mode ${policy.mode}, no deny entry matches)`)
      }
      const allowed = allowList.match(domain)
      if (allowed === undefined) {
        return refuse('NOT_ALLOWLISTED', `${domain} matches no allow entry and the mode is allowlist`)
      }
      return allow(`${domain} matches allow entry ${allowed}`)
    },
  }
}
