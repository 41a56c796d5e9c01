/**
 * Pure federation policy decisions: who may federate, how securely, peer software
 * rules, the WebEx chat-room invite constraint, per-domain limits, SIP-to-XMPP
 * migration and email for federation. No I/O: the router asks, the policy answers
 * with a typed Decision and reports it through `onDecision`.
 *
 * @example
 * ```ts
 * import { createDomainPolicy, withPolicyDefaults } from '@xmpp-federation/policy'
 *
 * const policy = createDomainPolicy(
 *   withPolicyDefaults({ domains: ['corp.example'], policy: { mode: 'allowlist', allow: ['*.partner.example'] } }),
 *   { onDecision: ({ check, remote, decision }) => console.log(check, remote, decision.code, decision.reason) },
 * )
 * policy.checkDomain('im.partner.example') // { allowed: true, code: 'ALLOWED', ... }
 * ```
 * @packageDocumentation
 */
export {
  type Allowed,
  allow,
  type Decision,
  type DecisionCode,
  type RefusalCode,
  type Refused,
  refuse,
  type StanzaErrorCondition,
  type StanzaErrorType,
} from './decision.js'
export { DEFAULT_LIMITS, DEFAULT_PEER_RULES, DEFAULT_SECURITY, withPolicyDefaults } from './defaults.js'
export {
  createDomainList,
  createDomainTable,
  type DomainList,
  type DomainMatch,
  type DomainPattern,
  type DomainTable,
  formatPattern,
  parseDomainPattern,
  patternMatches,
  specificity,
} from './domain-match.js'
export { type AddressParts, domainOfAddress, normalizeDomain, parseAddress } from './domain-name.js'
export { createDomainSettings, type DomainSettings, type DomainSettingsResolver } from './domain-settings.js'
export {
  type AddressMapper,
  type AddressMapperOptions,
  type AddressMappingResult,
  type AddressRewrite,
  createAddressMapper,
  type EmailDirectory,
} from './email-mapping.js'
export { createFederationList, type FederationList } from './federation-list.js'
export {
  checkStanzaSize,
  checkStreamCount,
  createDomainRateLimiter,
  type DomainRateLimiter,
} from './limits.js'
export {
  checkPeerSoftware,
  createPeerSoftwareCache,
  NS_VERSION,
  type PeerSoftware,
  type PeerSoftwareCache,
  parsePeerSoftware,
  type SoftwarePolicy,
} from './peer-software.js'
export {
  createDomainPolicy,
  type DecisionEvent,
  type DomainPolicy,
  type DomainPolicyOptions,
  type PolicyCheck,
} from './policy.js'
export { createTokenBucket, type TokenBucket, type TokenBucketOptions } from './rate-limit.js'
export { checkSipFederation, type MigrationPlan, type MigrationStep, migrationPlan } from './sip-migration.js'
export { createTtlCache, type TtlCache, type TtlCacheOptions } from './ttl-cache.js'
export type {
  DomainLimits,
  DomainOverride,
  FederationMode,
  PartialPolicyInput,
  PeerRule,
  PolicyInput,
  SecuritySettings,
  TlsMode,
} from './types.js'
export { compareVersions, parseVersion } from './version.js'
export {
  type ChatRoomInvite,
  checkWebexInvite,
  classifyChatRoomInvite,
  NS_CONFERENCE,
  NS_MUC_USER,
  WEBEX_INVITE_TEXT,
} from './webex-invites.js'
