import type { DomainLimits, PartialPolicyInput, PeerRule, PolicyInput, SecuritySettings } from './types.js'

/**
 * Secure unless told otherwise: TLS required and the certificate must name the peer.
 * Dialback stays allowed, but under these settings only over TLS with a valid
 * certificate (XEP-0344); relax `requireValidCertificate` per domain for peers with
 * self-signed certificates.
 */
export const DEFAULT_SECURITY: Readonly<SecuritySettings> = Object.freeze({
  tls: 'required',
  requireValidCertificate: true,
  saslExternal: Object.freeze({ inbound: true, outbound: true }),
  dialback: true,
})

/**
 * The same numbers as the config package's defaults. 512 KiB matches the stream
 * package's byte budget; RFC 6120 §13.12 asks for at least 10 000.
 */
export const DEFAULT_LIMITS: Readonly<DomainLimits> = Object.freeze({
  maxStanzaBytes: 512 * 1024,
  stanzasPerSecond: 100,
  burst: 500,
  maxStreams: 8,
})

/** The seed's one product rule: no XMPP federation with Cisco Unified Presence 7.x. */
export const DEFAULT_PEER_RULES: readonly PeerRule[] = Object.freeze([
  Object.freeze({
    product: 'Cisco Unified Presence',
    versionBelow: '8',
    action: 'refuse' as const,
    reason: 'XMPP federation with Cisco Unified Presence releases before 8.x is not supported',
  }),
])

/**
 * Fills everything a partial input leaves out. Lists are replaced, not merged: passing
 * `peerRules: []` removes the default Cisco Unified Presence 7.x rule on purpose.
 */
export function withPolicyDefaults(partial: PartialPolicyInput = {}): PolicyInput {
  const security = partial.security ?? {}
  const policy = partial.policy ?? {}
  const email = partial.emailForFederation ?? {}
  return {
    domains: [...(partial.domains ?? [])],
    security: {
      tls: security.tls ?? DEFAULT_SECURITY.tls,
      requireValidCertificate: security.requireValidCertificate ?? DEFAULT_SECURITY.requireValidCertificate,
      saslExternal: {
        inbound: security.saslExternal?.inbound ?? DEFAULT_SECURITY.saslExternal.inbound,
        outbound: security.saslExternal?.outbound ?? DEFAULT_SECURITY.saslExternal.outbound,
      },
      dialback: security.dialback ?? DEFAULT_SECURITY.dialback,
    },
    policy: {
      mode: policy.mode ?? 'open',
      allow: [...(policy.allow ?? [])],
      deny: [...(policy.deny ?? [])],
      sipFederatedDomains: [...(policy.sipFederatedDomains ?? [])],
      peerRules: (policy.peerRules ?? DEFAULT_PEER_RULES).map((rule) => ({ ...rule })),
      unknownSoftware: policy.unknownSoftware ?? 'allow',
      webexDomains: [...(policy.webexDomains ?? [])],
      webexInvites: policy.webexInvites ?? 'reject',
      domains: { ...(policy.domains ?? {}) },
      limits: {
        maxStanzaBytes: policy.limits?.maxStanzaBytes ?? DEFAULT_LIMITS.maxStanzaBytes,
        stanzasPerSecond: policy.limits?.stanzasPerSecond ?? DEFAULT_LIMITS.stanzasPerSecond,
        burst: policy.limits?.burst ?? DEFAULT_LIMITS.burst,
        maxStreams: policy.limits?.maxStreams ?? DEFAULT_LIMITS.maxStreams,
      },
    },
    emailForFederation: {
      enabled: email.enabled ?? false,
      unmapped: email.unmapped ?? 'keep-jid',
      emailDomains: [...(email.emailDomains ?? [])],
    },
  }
}
