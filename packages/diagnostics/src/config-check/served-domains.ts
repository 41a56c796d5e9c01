import type { FederationConfig } from '@xmpp-federation/config'

/** The domains streams may be addressed to: local domains, and email domains while in use. */
export function servedDomains(config: FederationConfig): string[] {
  const email = config.emailForFederation
  return [...new Set([...config.domains, ...(email.enabled ? email.emailDomains : [])])]
}
