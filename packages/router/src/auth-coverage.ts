import { ConfigError, type ConfigIssue, type FederationConfig } from '@xmpp-federation/config'
import type { AuthMechanism } from '@xmpp-federation/stream'

const EXTERNAL = 'EXTERNAL'
const DIALBACK = 'dialback'

/**
 * The security settings (global, and each per-domain override) against the
 * mechanisms the host installed: a domain the config lets federate must have
 * one mechanism it may use in each direction, or the federation refuses to be
 * built, naming the setting and the fix. Mechanisms of the host's own (any other
 * name) are assumed to serve every domain.
 */
export function checkAuthCoverage(config: FederationConfig, mechanisms: readonly AuthMechanism[]): void {
  const names = new Set(mechanisms.map((mechanism) => mechanism.name))
  if ([...names].some((name) => name !== EXTERNAL && name !== DIALBACK)) return
  const issues: ConfigIssue[] = []
  const check = (path: string, security: EffectiveSecurity) => {
    for (const direction of ['inbound', 'outbound'] as const) {
      const external = names.has(EXTERNAL) && security.saslExternal[direction] && security.tls !== 'none'
      const dialback = names.has(DIALBACK) && security.dialback
      if (external || dialback) continue
      issues.push({
        path,
        code: 'NO_AUTH_METHOD',
        message: `leaves ${direction} streams without a usable authentication method: ${describe(names, security, direction)}`,
        fix: names.has(DIALBACK)
          ? 'allow dialback or SASL EXTERNAL (with TLS) for it'
          : 'let the federation install dialback (do not pass `auth`, or add dialback to it), or allow SASL EXTERNAL with TLS',
      })
    }
  }
  check('security', config.security)
  for (const [entry, override] of Object.entries(config.policy.domains)) {
    check(`policy.domains.${entry}`, {
      tls: override.tls ?? config.security.tls,
      dialback: override.dialback ?? config.security.dialback,
      saslExternal: {
        inbound: override.saslExternal?.inbound ?? config.security.saslExternal.inbound,
        outbound: override.saslExternal?.outbound ?? config.security.saslExternal.outbound,
      },
    })
  }
  if (issues.length > 0) throw new ConfigError(issues)
}

interface EffectiveSecurity {
  readonly tls: string
  readonly dialback: boolean
  readonly saslExternal: { readonly inbound: boolean; readonly outbound: boolean }
}

function describe(names: ReadonlySet<string>, security: EffectiveSecurity, direction: string): string {
  const installed = names.size === 0 ? 'no mechanism is installed' : `installed: ${[...names].join(', ')}`
  const external = security.saslExternal[direction as 'inbound'] && security.tls !== 'none'
  return `${installed}; SASL EXTERNAL ${external ? 'allowed' : 'not allowed'}, dialback ${security.dialback ? 'allowed' : 'not allowed'}`
}
