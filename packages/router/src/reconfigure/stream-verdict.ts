import type { FederationConfig } from '@xmpp-federation/config'
import type { Decision, DomainPolicy } from '@xmpp-federation/policy'
import type { S2SSession, StanzaErrorCondition, StreamErrorCondition } from '@xmpp-federation/stream'

/** Why a live stream must close under a new configuration, and what its waiting stanzas get. */
export interface StreamVerdict {
  /** The stream error it is closed with. */
  readonly condition: StreamErrorCondition
  /** The stanza error its queued stanzas are bounced with. */
  readonly stanzaCondition: StanzaErrorCondition
  readonly reason: string
}

/** The settings before and after a reload, as a stream is judged against them. */
export interface VerdictInputs {
  readonly config: FederationConfig
  readonly policy: DomainPolicy
  /** The policy before the reload: security is re-checked only where it changed. */
  readonly previousPolicy: DomainPolicy
  /** The peer software rules' verdict on what the domain runs, when it was asked. */
  readonly software: (remote: string) => Decision | undefined
}

/**
 * Whether one (local, remote) pair of a live stream may stay under the new settings.
 * Federation switched off closes everything (`system-shutdown`); a local domain no
 * longer served, `host-unknown`; a remote domain now refused, or a stream that no
 * longer meets its domain's security settings, `policy-violation`.
 */
export function verdictFor(
  pair: { local: string; remote: string; mechanism?: string },
  session: S2SSession | undefined,
  direction: 'inbound' | 'outbound',
  inputs: VerdictInputs,
): StreamVerdict | undefined {
  const { config, policy } = inputs
  if (!config.enabled) {
    return {
      condition: 'system-shutdown',
      stanzaCondition: 'service-unavailable',
      reason: 'federation is disabled on this node (enabled: false)',
    }
  }
  const served =
    config.domains.includes(pair.local) || config.emailForFederation.emailDomains.includes(pair.local)
  if (!served) {
    return {
      condition: 'host-unknown',
      stanzaCondition: 'not-allowed',
      reason: `${pair.local} is no longer a local domain`,
    }
  }
  const domain = policy.checkDomain(pair.remote)
  if (!domain.allowed)
    return { condition: 'policy-violation', stanzaCondition: domain.condition, reason: domain.reason }
  const software = inputs.software(pair.remote)
  if (software && !software.allowed) {
    return { condition: 'policy-violation', stanzaCondition: software.condition, reason: software.reason }
  }
  if (!session) return undefined
  const security = securityProblem(pair, session, direction, inputs)
  if (security === undefined) return undefined
  return { condition: 'policy-violation', stanzaCondition: 'policy-violation', reason: security }
}

function securityProblem(
  pair: { remote: string; mechanism?: string },
  session: S2SSession,
  direction: 'inbound' | 'outbound',
  inputs: VerdictInputs,
): string | undefined {
  const now = inputs.policy.security(pair.remote)
  // A stream that met the old settings meets the same ones again: nothing to re-check.
  if (JSON.stringify(now) === JSON.stringify(inputs.previousPolicy.security(pair.remote))) return undefined
  if (now.tls === 'required' && session.tls === undefined) return `TLS is now required with ${pair.remote}`
  if (pair.mechanism === 'dialback' && !now.dialback)
    return `dialback is no longer allowed with ${pair.remote}`
  if (pair.mechanism === 'EXTERNAL' && !now.saslExternal[direction]) {
    return `SASL EXTERNAL is no longer allowed for ${direction} streams with ${pair.remote}`
  }
  if (
    now.requireValidCertificate &&
    pair.mechanism !== 'EXTERNAL' &&
    session.tls?.peerCertificate?.chain.ok !== true
  ) {
    return `a valid certificate is now required of ${pair.remote}`
  }
  return undefined
}
