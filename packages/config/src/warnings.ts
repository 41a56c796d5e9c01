import type { ConfigIssue } from './config-issue.js'
import type { FederationConfig } from './schema.js'

// Settings that are valid but do nothing as configured. They do not stop a federation (parseConfig
// accepts them); check-config shows them so that what was meant gets written.

/** The warnings of a validated configuration, each with code `UNUSED_SETTING`. */
export function configWarnings(config: FederationConfig): ConfigIssue[] {
  return [...allowListIgnored(config), ...repeatedListEntries(config)]
}

// Left in `open` or `denylist` mode, an allow list reads like a restriction that is not there.
function allowListIgnored({ policy }: FederationConfig): ConfigIssue[] {
  if (policy.mode === 'allowlist' || policy.allow.length === 0) return []
  return [
    {
      code: 'UNUSED_SETTING',
      path: 'policy.allow',
      message: `is not consulted while policy.mode is '${policy.mode}', so every domain not denied may federate`,
      fix: "set policy.mode to 'allowlist', or empty policy.allow",
    },
  ]
}

// These lists are sets (see canonical.ts): a repeated entry is harmless, and does nothing.
// Entries are normalised by the schema, so two spellings of one domain compare equal here.
function repeatedListEntries({ policy, emailForFederation }: FederationConfig): ConfigIssue[] {
  const lists: [string, string[]][] = [
    ['policy.allow', policy.allow],
    ['policy.deny', policy.deny],
    ['policy.sipFederatedDomains', policy.sipFederatedDomains],
    ['policy.webexDomains', policy.webexDomains],
    ['emailForFederation.emailDomains', emailForFederation.emailDomains],
  ]
  return lists.flatMap(([path, entries]) =>
    entries.flatMap((entry, index): ConfigIssue[] => {
      const first = entries.indexOf(entry)
      if (first === index) return []
      return [
        {
          code: 'UNUSED_SETTING',
          path: `${path}[${index}]`,
          message: `repeats ${entry} (first at ${path}[${first}])`,
          fix: 'remove the repetition',
        },
      ]
    }),
  )
}
