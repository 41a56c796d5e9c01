import { createDomainList, formatPattern, parseDomainPattern, patternMatches } from './domain-match.js'
import { createDomainSettings } from './domain-settings.js'
import { createFederationList } from './federation-list.js'
import type { PolicyProblem } from './policy-problem.js'
import { sipRemovalFix } from './sip-migration.js'
import type { PolicyInput } from './types.js'
import {
  at,
  checkBoolean,
  checkEnum,
  checkExactDomain,
  checkLimits,
  checkPatterns,
  key,
  probeDomain,
  type Report,
} from './validate-fields.js'
import { checkSecurity, checkSecurityCoherence, SECURITY_FIELDS } from './validate-security.js'
import { parseVersion } from './version.js'

export {
  BLOCKING_PROBLEMS,
  PolicyConfigError,
  type PolicyProblem,
  type PolicyProblemCode,
} from './policy-problem.js'

/** Every problem of the input, in input order. An empty list means valid. */
export function validatePolicyConfig(input: PolicyInput): PolicyProblem[] {
  const problems: PolicyProblem[] = []
  const report = (problem: PolicyProblem) => problems.push(problem)

  checkLocalDomains(input, report)
  checkSecurity('security', input.security, report)
  checkEnum('policy.mode', input.policy.mode, ['open', 'allowlist', 'denylist'], report)
  checkEnum('policy.unknownSoftware', input.policy.unknownSoftware, ['allow', 'refuse'], report)
  checkEnum('policy.webexInvites', input.policy.webexInvites, ['reject', 'pass'], report)
  checkFederationLists(input, report)
  checkSipFederatedDomains(input, report)
  checkPeerRules(input, report)
  checkPatterns('policy.webexDomains', input.policy.webexDomains, report)
  checkLimits('policy.limits', input.policy.limits, report)
  checkDomainOverrides(input, report)
  checkEmail(input, report)
  return problems
}

function checkLocalDomains(input: PolicyInput, report: Report): void {
  if (input.localDomains.length === 0) {
    report({
      path: 'localDomains',
      code: 'NO_LOCAL_DOMAIN',
      severity: 'error',
      message: 'no local domain is configured',
      fix: 'list the domains this deployment serves in localDomains',
    })
  }
  for (const [index, domain] of input.localDomains.entries()) {
    checkExactDomain(at('localDomains', index), domain, report)
  }
}

function checkFederationLists(input: PolicyInput, report: Report): void {
  const { mode, allow, deny } = input.policy
  const allowPatterns = checkPatterns('policy.allow', allow, report)
  checkPatterns('policy.deny', deny, report)
  if (mode === 'allowlist' && allow.length === 0) {
    report({
      path: 'policy.allow',
      code: 'EMPTY_ALLOWLIST',
      severity: 'warning',
      message: 'mode is allowlist but the allow list is empty: no domain can federate',
      fix: 'add the domains to federate with to policy.allow',
    })
  }
  if (mode === 'denylist' && deny.length === 0) {
    report({
      path: 'policy.deny',
      code: 'EMPTY_DENYLIST',
      severity: 'warning',
      message: 'mode is denylist but the deny list is empty: every domain can federate',
      fix: "add the domains to refuse to policy.deny, or set policy.mode to 'open' to say so",
    })
  }
  if (mode !== 'allowlist' && allow.length > 0) {
    report({
      path: 'policy.allow',
      code: 'ALLOW_UNUSED',
      severity: 'warning',
      message: `mode is ${mode}: the allow list is not consulted`,
      fix: "set policy.mode to 'allowlist', or empty policy.allow",
    })
  }
  const denyList = createDomainList(deny)
  allowPatterns.forEach((pattern, index) => {
    if (pattern === undefined) return
    const denied = denyList.match(probeDomain(pattern))
    if (denied === undefined) return
    report({
      path: at('policy.allow', index),
      code: 'ALLOW_SHADOWED',
      severity: 'warning',
      message: `deny entry ${denied} also matches ${formatPattern(pattern)}, and deny wins`,
      fix: `remove ${formatPattern(pattern)} from policy.allow, or ${denied} from policy.deny`,
    })
  })
}

/**
 * A SIP entry conflicts when XMPP federation is enabled for any domain it covers. For a
 * wildcard we probe a generic subdomain and every allow entry under it, so both
 * "open mode reaches *.sip.example" and "allowlist names a.sip.example" are found.
 */
function checkSipFederatedDomains(input: PolicyInput, report: Report): void {
  const federation = createFederationList(input.policy)
  const allowPatterns = input.policy.allow.map(parseDomainPattern).filter((p) => p !== undefined)
  input.policy.sipFederatedDomains.forEach((entry, index) => {
    const path = at('policy.sipFederatedDomains', index)
    const pattern = parseDomainPattern(entry)
    if (pattern === undefined) {
      checkExactDomain(path, entry, report)
      return
    }
    const covered = [probeDomain(pattern), ...allowPatterns.map(probeDomain)].filter((domain) =>
      patternMatches(pattern, domain),
    )
    const enabled = covered.map((domain) => federation.check(domain)).find((decision) => decision.allowed)
    if (enabled === undefined) return
    const name = formatPattern(pattern)
    report({
      path,
      code: 'SIP_FEDERATED_CONFLICT',
      severity: 'error',
      message: `${name} is configured for SIP federation and also enabled for XMPP federation (${enabled.reason}); it will be refused until this is resolved`,
      fix: sipRemovalFix(name),
    })
  })
}

function checkPeerRules(input: PolicyInput, report: Report): void {
  input.policy.peerRules.forEach((rule, index) => {
    const path = at('policy.peerRules', index)
    if (typeof rule.product !== 'string' || rule.product.trim() === '') {
      report({
        path: `${path}.product`,
        code: 'EMPTY_PRODUCT',
        severity: 'error',
        message: 'the product is empty, so the rule would match every peer',
        fix: 'name the product as it appears in the XEP-0092 <name/>, e.g. "Cisco Unified Presence"',
      })
    }
    checkEnum(`${path}.action`, rule.action, ['refuse', 'allow'], report)
    if (rule.versionBelow !== undefined && parseVersion(rule.versionBelow) === undefined) {
      report({
        path: `${path}.versionBelow`,
        code: 'INVALID_VERSION',
        severity: 'error',
        message: `${JSON.stringify(rule.versionBelow)} does not start with a number`,
        fix: "write a dotted version such as '8' or '8.6.1', or leave versionBelow out to match every version",
      })
    }
  })
}

function checkDomainOverrides(input: PolicyInput, report: Report): void {
  const settings = createDomainSettings(input)
  checkSecurityCoherence('security', 'the global defaults', input.security, report)
  for (const [name, override] of Object.entries(input.policy.domains)) {
    const path = key('policy.domains', name)
    const pattern = parseDomainPattern(name)
    if (pattern === undefined) {
      report({
        path,
        code: 'INVALID_PATTERN',
        severity: 'error',
        message: `${JSON.stringify(name)} is neither a domain nor a *.domain wildcard`,
        fix: 'key the override by example.com (that domain only) or *.example.com (its subdomains)',
      })
      continue
    }
    checkSecurity(path, override, report)
    if (override.webex !== undefined) checkBoolean(`${path}.webex`, override.webex, report)
    if (override.limits !== undefined) checkLimits(`${path}.limits`, override.limits, report)
    const touchesSecurity = SECURITY_FIELDS.some((field) => override[field] !== undefined)
    if (touchesSecurity) {
      // What a domain under this key really gets, after the cascade.
      checkSecurityCoherence(
        path,
        formatPattern(pattern),
        settings.resolve(probeDomain(pattern)).security,
        report,
      )
    }
  }
}

function checkEmail(input: PolicyInput, report: Report): void {
  const email = input.emailForFederation
  checkBoolean('emailForFederation.enabled', email.enabled, report)
  checkEnum('emailForFederation.unmapped', email.unmapped, ['keep-jid', 'refuse'], report)
  for (const [index, domain] of email.emailDomains.entries()) {
    checkExactDomain(at('emailForFederation.emailDomains', index), domain, report)
  }
}
