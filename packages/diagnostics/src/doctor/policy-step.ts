import type { LocalSetup } from './local-setup.js'
import { fail, pass, type StepResult } from './step-result.js'

/** Our own policy first: a domain we refuse cannot federate, whatever the remote does. */
export function policyStep(domain: string, policy: NonNullable<LocalSetup['policy']>): StepResult {
  if (policy.allowed) return pass({ step: 'policy', code: 'POLICY_ALLOWED', message: policy.reason })
  return fail({
    step: 'policy',
    code: 'POLICY_DENIED',
    message: `our policy refuses ${domain}: ${policy.reason}`,
    hint: `Our side: remove the matching entry from policy.deny, add ${domain} to policy.allow in allowlist mode, or (once SIP federation with it has ended) remove it from policy.sipFederatedDomains.`,
    side: 'local',
  })
}
