import type { MigrationPlan } from '@xmpp-federation/policy'
import { mark } from './marks.js'

/**
 *   Migration of partner.example from SIP to XMPP federation
 *     1. ✖ remove partner.example from sipFederatedDomains ...
 *     2. ✔ XMPP federation with partner.example is enabled (mode open)
 *   Do step 1 first. Then check: xmpp-federation doctor partner.example --config FILE
 */
export function renderMigrationPlan(plan: MigrationPlan, check: string, options: { color: boolean }): string {
  const out = [`Migration of ${plan.domain} from SIP to XMPP federation`]
  plan.steps.forEach((step, index) => {
    out.push(`  ${index + 1}. ${mark(step.done ? 'pass' : 'fail', options.color)} ${step.text}`)
  })
  const next = plan.steps.findIndex((step) => !step.done)
  if (plan.complete) {
    out.push(`Nothing to do: ${plan.domain} federates over XMPP only.`)
  } else {
    out.push(
      `Do step ${next + 1} first${plan.safe ? '' : ': until then XMPP federation with it is refused'}.`,
    )
  }
  out.push(`${plan.complete ? 'Check' : 'Then check'}: ${check}`)
  return `${out.join('\n')}\n`
}
