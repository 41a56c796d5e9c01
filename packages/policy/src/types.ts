/**
 * The policy input: one plain object, exactly the shape `@xmpp-federation/config`
 * produces, so that policy, router and diagnostics all read the same thing.
 */

/** Cisco IM&P names these No TLS, SMART (opportunistic) and TLS required. */
export type TlsMode = 'none' | 'opportunistic' | 'required'

/** How a stream with a remote domain must be secured and authenticated. */
export interface SecuritySettings {
  tls: TlsMode
  /** The peer's certificate must chain to a trust anchor and name the remote domain (RFC 9525). */
  requireValidCertificate: boolean
  /** SASL EXTERNAL (XEP-0178) offered to peers (inbound) and used towards them (outbound). */
  saslExternal: { inbound: boolean; outbound: boolean }
  /** Server Dialback (XEP-0220) may authenticate the domain. */
  dialback: boolean
}

/** Per-domain resource limits: stanza size, rate and streams. */
export interface DomainLimits {
  /** Largest stanza accepted from the domain, in bytes of XML. */
  maxStanzaBytes: number
  /** Sustained stanza rate (token bucket refill rate). */
  stanzasPerSecond: number
  /** Stanzas allowed in a burst (token bucket size). */
  burst: number
  /** Streams open with the domain at once, both directions together. */
  maxStreams: number
}

/** Settings for one exact domain or `*.wildcard`; unset fields fall through to less specific entries. */
export interface DomainOverride {
  tls?: SecuritySettings['tls']
  requireValidCertificate?: boolean
  saslExternal?: Partial<SecuritySettings['saslExternal']>
  dialback?: boolean
  /** Tags the domain as a WebEx Messenger peer (same effect as listing it in `webexDomains`). */
  webex?: boolean
  limits?: Partial<DomainLimits>
}

/**
 * Who may federate: everyone (`open`), only listed domains (`allowlist`), everyone except listed ones
 * (`denylist`).
 */
export type FederationMode = 'open' | 'allowlist' | 'denylist'

/** A rule about peer server software, matched against its XEP-0092 answer. */
export interface PeerRule {
  /** Case-insensitive substring of the peer's XEP-0092 `<name/>`. */
  product: string
  /** The rule applies to versions below this one only; absent = every version. */
  versionBelow?: string
  action: 'refuse' | 'allow'
  /** Told to the admin and the bounced sender when the rule refuses. */
  reason?: string
}

/**
 * What the policy decides from: the sections of a configuration validated by
 * `@xmpp-federation/config` (`parseConfig` or `loadConfigFile`), so a `FederationConfig`
 * can be passed as it is. The policy does not validate it again.
 */
export interface PolicyInput {
  /** The local domains this deployment serves. */
  domains: string[]
  /** Global defaults; `policy.domains` overrides them per domain. */
  security: SecuritySettings
  policy: {
    mode: FederationMode
    allow: string[]
    deny: string[]
    sipFederatedDomains: string[]
    peerRules: PeerRule[]
    unknownSoftware: 'allow' | 'refuse'
    webexDomains: string[]
    webexInvites: 'reject' | 'pass'
    /** Keys: exact domains or `*.wildcards`. */
    domains: Record<string, DomainOverride>
    /** Global defaults; `policy.domains[...].limits` overrides them per domain. */
    limits: DomainLimits
  }
  emailForFederation: {
    enabled: boolean
    unmapped: 'keep-jid' | 'refuse'
    /** Email domains we also serve (besides `domains`), so replies to an email address route back to us. */
    emailDomains: string[]
  }
}

/** What a caller may leave out; `withPolicyDefaults` fills the rest. */
export interface PartialPolicyInput {
  domains?: string[]
  security?: Partial<Omit<SecuritySettings, 'saslExternal'>> & {
    saslExternal?: Partial<SecuritySettings['saslExternal']>
  }
  policy?: Partial<Omit<PolicyInput['policy'], 'limits'>> & { limits?: Partial<DomainLimits> }
  emailForFederation?: Partial<PolicyInput['emailForFederation']>
}
