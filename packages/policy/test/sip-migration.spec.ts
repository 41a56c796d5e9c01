import { describe, expect, it } from 'vitest'
import { withPolicyDefaults } from '../src/defaults.js'
import { createDomainList } from '../src/domain-match.js'
import { checkSipFederation, migrationPlan } from '../src/sip-migration.js'
import type { PartialPolicyInput } from '../src/types.js'

const input = (policy: PartialPolicyInput['policy']) =>
  withPolicyDefaults({ domains: ['corp.example'], policy })

describe('checkSipFederation', () => {
  it('refuses a SIP-federated domain, naming it and the fix', () => {
    const decision = checkSipFederation('ciscoexample.com', createDomainList(['CiscoExample.com']))
    expect(decision).toMatchObject({ allowed: false, code: 'SIP_FEDERATED', condition: 'policy-violation' })
    expect(decision.reason).toContain('remove it from sipFederatedDomains before enabling XMPP federation')
  })

  it('allows any other domain', () => {
    expect(checkSipFederation('other.example', createDomainList(['ciscoexample.com'])).allowed).toBe(true)
  })
})

describe('migrationPlan', () => {
  it('the seed example: SIP-federated and allowed is unsafe, step one first', () => {
    const plan = migrationPlan(input({ sipFederatedDomains: ['ciscoexample.com'] }), 'CiscoExample.com')
    expect(plan).toMatchObject({ domain: 'ciscoexample.com', safe: false, complete: false })
    expect(plan.steps[0]).toMatchObject({ done: false })
    expect(plan.steps[0]?.text).toContain(
      'remove ciscoexample.com from sipFederatedDomains before enabling XMPP federation with it',
    )
    expect(plan.steps[1]).toMatchObject({ done: true })
  })

  it('allowlist: removed from SIP but not yet allowed is safe and says what is left', () => {
    const plan = migrationPlan(input({ mode: 'allowlist', allow: ['partner.example'] }), 'ciscoexample.com')
    expect(plan).toMatchObject({ safe: true, complete: false })
    expect(plan.steps.map((s) => s.done)).toEqual([true, false])
    expect(plan.steps[1]?.text).toContain('add ciscoexample.com to policy.allow')
  })

  it('denied domain: names the deny entry to remove', () => {
    const plan = migrationPlan(input({ deny: ['*.example.com'] }), 'ciscoexample.example.com')
    expect(plan.steps[1]?.text).toContain('remove *.example.com from policy.deny')
  })

  it('done when only XMPP federation remains', () => {
    expect(migrationPlan(input({}), 'ciscoexample.com')).toMatchObject({ safe: true, complete: true })
  })

  it('a malformed domain gets one step: fix the name', () => {
    const plan = migrationPlan(input({}), 'bad domain')
    expect(plan).toMatchObject({ safe: false, complete: false, steps: [{ done: false }] })
    expect(plan.steps[0]?.text).toContain('not a valid domain')
  })
})
