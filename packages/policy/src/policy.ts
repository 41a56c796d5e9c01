import type { Element } from 'ltx'
import { allow, type Decision, refuse } from './decision.js'
import { createDomainList } from './domain-match.js'
import { domainOfAddress, normalizeDomain } from './domain-name.js'
import { createDomainSettings, type DomainSettings } from './domain-settings.js'
import { type AddressMappingResult, createAddressMapper, type EmailDirectory } from './email-mapping.js'
import { createFederationList } from './federation-list.js'
import { checkStreamCount, createDomainRateLimiter } from './limits.js'
import { checkPeerSoftware, type PeerSoftware } from './peer-software.js'
import { checkSipFederation } from './sip-migration.js'
import type { DomainLimits, PolicyInput, SecuritySettings } from './types.js'
import { checkWebexInvite } from './webex-invites.js'

/** Which question a decision answered; with the decision, what the router logs and emits. */
export type PolicyCheck =
  | 'domain'
  | 'peer-software'
  | 'inbound-stanza'
  | 'stanza-size'
  | 'rate'
  | 'stream-count'
  | 'outbound-addresses'
  | 'inbound-addresses'

/** One decision the DomainPolicy made, as reported to `onDecision` (for logs and metrics). */
export interface DecisionEvent {
  readonly check: PolicyCheck
  /** The remote domain (normalized), or the input as given when it was malformed. */
  readonly remote: string
  readonly decision: Decision
}

/** Hooks and dependencies of createDomainPolicy beyond the configuration itself. */
export interface DomainPolicyOptions {
  /** Called synchronously for every decision, allowed or not. It must not throw. */
  onDecision?: (event: DecisionEvent) => void
  /** Required when `emailForFederation.enabled`. */
  directory?: EmailDirectory
  /** Directory cache lifetime. Default 60 000 ms. */
  cacheTtlMs?: number
  /** Clock for the directory cache, in ms. Default Date.now. */
  now?: () => number
}

/**
 * What the router (and the doctor) ask of the policy, and nothing more. Everything else the
 * package knows is there as standalone functions (migrationPlan, checkStanzaSize, ...).
 */
export interface DomainPolicy {
  /** The validated input, e.g. for the peer-software rules the router caches answers for. */
  readonly input: PolicyInput

  /** May we federate with this domain at all (lists, mode, SIP migration)? Ask before every new session. */
  checkDomain(remote: string): Decision
  /** Security for the domain after the per-domain cascade (the global one for a malformed domain). */
  security(remote: string): SecuritySettings
  /** Limits for the domain after the per-domain cascade. */
  limits(remote: string): DomainLimits
  /** `software` undefined: the peer did not answer XEP-0092. */
  checkPeerSoftware(remote: string, software: PeerSoftware | undefined): Decision
  /** Stanza-level rules for stanzas from `remote` (the WebEx chat-room invite constraint). */
  checkInboundStanza(remote: string, stanza: Element): Decision
  /** Takes `stanzas` tokens from the domain's bucket; `now` in ms. */
  checkRate(remote: string, now: number, stanzas?: number): Decision
  /**
   * checkRate (one stanza) then checkInboundStanza, both asked and both reported, for a
   * `domain` already normalised: the stream's check of the stanza parsed its addresses, and
   * they are not parsed again here. Returns the first refusal, else the last decision.
   * Optional, so that a policy written before it still fits: the router then asks the two.
   */
  checkInbound?(domain: string, stanza: Element, now: number): Decision
  /** `openStreams`: streams open with the domain now; may one more open? */
  checkStreamCount(remote: string, openStreams: number): Decision
  /** Email for federation, before sending. When disabled: allowed, the same stanza, and no event. */
  mapOutbound(stanza: Element): Promise<AddressMappingResult>
  /** Email for federation, after receiving; a no-op when disabled. */
  mapInbound(stanza: Element): Promise<AddressMappingResult>
}

/**
 * The policy object the router consults. Pure: no sockets, files or timers; time comes
 * in as `now`. `input` is a validated configuration (see PolicyInput): the config package
 * owns the checks, and the policy trusts their result.
 */
export function createDomainPolicy(input: PolicyInput, options: DomainPolicyOptions = {}): DomainPolicy {
  const email = input.emailForFederation
  if (email.enabled && options.directory === undefined) {
    throw new TypeError('emailForFederation.enabled needs a directory (options.directory)')
  }

  const federation = createFederationList(input.policy)
  const sipList = createDomainList(input.policy.sipFederatedDomains)
  const domainSettings = createDomainSettings(input)
  const settings = (remote: string) => domainSettings.resolve(remote)
  const perStanza = createPerStanzaSettings(settings)
  const rates = createDomainRateLimiter((domain) => perStanza(domain).limits)
  const mapper =
    email.enabled && options.directory
      ? createAddressMapper({
          directory: options.directory,
          unmapped: email.unmapped,
          localDomains: input.domains,
          emailDomains: email.emailDomains,
          ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
          ...(options.now === undefined ? {} : { now: options.now }),
        })
      : undefined

  const emit = <D extends Decision>(check: PolicyCheck, remote: string, decision: D): D => {
    options.onDecision?.({ check, remote, decision })
    return decision
  }

  /** Normalizes the domain, or emits and returns the INVALID_DOMAIN refusal. */
  const withDomain = <D extends Decision>(
    check: PolicyCheck,
    remote: string,
    decide: (domain: string) => D,
  ) => {
    const domain = normalizeDomain(remote)
    if (domain === undefined) {
      return emit(
        check,
        remote,
        refuse('INVALID_DOMAIN', `${JSON.stringify(remote)} is not a valid domain name`),
      )
    }
    return emit(check, domain, decide(domain))
  }

  /** checkInboundStanza for a normalised domain. */
  const inboundStanza = (domain: string, stanza: Element) =>
    checkWebexInvite(domain, stanza, {
      webex: perStanza(domain).webex,
      webexInvites: input.policy.webexInvites,
    })

  const mapAddresses = async (check: PolicyCheck, stanza: Element, side: 'to' | 'from') => {
    const address = stanza.attrs[side]
    const remote = (typeof address === 'string' && domainOfAddress(address)) || String(address ?? '')
    if (mapper === undefined) {
      const result: AddressMappingResult = {
        decision: allow('email for federation is off'),
        stanza,
        rewritten: [],
        kept: [],
      }
      return result
    }
    const result = await (check === 'outbound-addresses' ? mapper.outbound(stanza) : mapper.inbound(stanza))
    emit(check, remote, result.decision)
    return result
  }

  return {
    input,
    checkDomain: (remote) =>
      withDomain('domain', remote, (domain) => {
        const listed = federation.check(domain)
        if (!listed.allowed) return listed
        const sip = checkSipFederation(domain, sipList)
        return sip.allowed ? listed : sip
      }),
    security: (remote) => settings(remote).security,
    limits: (remote) => settings(remote).limits,
    checkPeerSoftware: (remote, software) =>
      withDomain('peer-software', remote, (domain) => checkPeerSoftware(domain, software, input.policy)),
    checkInboundStanza: (remote, stanza) =>
      withDomain('inbound-stanza', remote, (domain) => inboundStanza(domain, stanza)),
    checkRate: (remote, now, stanzas = 1) =>
      withDomain('rate', remote, (domain) => rates.check(domain, now, stanzas)),
    checkInbound: (domain, stanza, now) => {
      const rate = emit('rate', domain, rates.check(domain, now, 1))
      const rules = emit('inbound-stanza', domain, inboundStanza(domain, stanza))
      return rate.allowed ? rules : rate
    },
    checkStreamCount: (remote, openStreams) =>
      withDomain('stream-count', remote, (domain) =>
        checkStreamCount(domain, openStreams, settings(domain).limits),
      ),
    mapOutbound: (stanza) => mapAddresses('outbound-addresses', stanza, 'to'),
    mapInbound: (stanza) => mapAddresses('inbound-addresses', stanza, 'from'),
  }
}

/** Domains whose per-stanza settings are kept; past this the cache starts afresh. */
const PER_STANZA_DOMAINS = 4096

/**
 * What the per-stanza checks (rate, WebEx) read of a domain's settings, resolved once per
 * (normalized) domain instead of on every stanza: the cascade copies and merges objects, and
 * the input never changes under one policy (a reload builds a new one). Frozen, since shared;
 * bounded, since the domains are the peers'.
 */
function createPerStanzaSettings(
  resolve: (domain: string) => DomainSettings,
): (domain: string) => Pick<DomainSettings, 'limits' | 'webex'> {
  const cache = new Map<string, Pick<DomainSettings, 'limits' | 'webex'>>()
  return (domain) => {
    let found = cache.get(domain)
    if (found === undefined) {
      const { limits, webex } = resolve(domain)
      found = Object.freeze({ limits: Object.freeze(limits), webex })
      if (cache.size >= PER_STANZA_DOMAINS) cache.clear()
      cache.set(domain, found)
    }
    return found
  }
}
