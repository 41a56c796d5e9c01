import type { Element } from 'ltx'
import { allow, type Decision, refuse } from './decision.js'
import { createTtlCache, type TtlCache, type TtlCacheOptions } from './ttl-cache.js'
import type { PeerRule, PolicyInput } from './types.js'
import { compareVersions, parseVersion } from './version.js'

/** What a peer says about itself in a XEP-0092 (jabber:iq:version) result. */
export interface PeerSoftware {
  name: string
  version?: string
  os?: string
}

/** The XEP-0092 namespace, to build the version query and recognise its result. */
export const NS_VERSION = 'jabber:iq:version'

/** The two policy settings that decide on a peer's software: its rules, and what unknown software gets. */
export type SoftwarePolicy = Pick<PolicyInput['policy'], 'peerRules' | 'unknownSoftware'>

/**
 * Peer product/version rules (e.g. no Cisco Unified Presence 7.x). Rules are tried in
 * order and the first that matches decides; with none matching the peer is allowed.
 * A rule matches when its `product` is a case-insensitive substring of the peer's
 * `<name/>` and, if it has `versionBelow`, the peer's version is lower.
 *
 * Unknown software is decided by `unknownSoftware` (default 'allow'):
 * - the peer did not answer XEP-0092 at all (`software` undefined: error, timeout,
 *   feature not implemented): XEP-0092 is optional and many servers hide it;
 * - a rule's product matches but the version is missing or has no leading number,
 *   so `versionBelow` cannot be decided. With 'allow' that rule is skipped.
 */
export function checkPeerSoftware(
  remote: string,
  software: PeerSoftware | undefined,
  policy: SoftwarePolicy,
): Decision {
  if (software === undefined) {
    return policy.unknownSoftware === 'refuse'
      ? refuse(
          'PEER_SOFTWARE_UNKNOWN',
          `${remote} did not tell its software (XEP-0092) and unknownSoftware is refuse`,
        )
      : allow(`${remote} did not tell its software (XEP-0092); unknownSoftware is allow`)
  }
  const described = describe(software)
  const name = software.name.toLowerCase()
  for (const [index, rule] of policy.peerRules.entries()) {
    if (!name.includes(rule.product.toLowerCase())) continue
    if (rule.versionBelow !== undefined) {
      if (parseVersion(software.version) === undefined) {
        if (policy.unknownSoftware === 'refuse') {
          return refuse(
            'PEER_SOFTWARE_UNKNOWN',
            `${remote} runs ${described}: the version cannot be compared with peerRules[${index}] (below ${rule.versionBelow}) and unknownSoftware is refuse`,
          )
        }
        continue
      }
      if (compareVersions(software.version, rule.versionBelow) >= 0) continue
    }
    return rule.action === 'refuse'
      ? refuse('PEER_SOFTWARE_REFUSED', `${remote} runs ${described}: ${rule.reason ?? ruleText(rule)}`)
      : allow(`${remote} runs ${described}, allowed by peerRules[${index}]`)
  }
  return allow(`${remote} runs ${described}; no peer rule refuses it`)
}

function describe(software: PeerSoftware): string {
  return software.version ? `${software.name} ${software.version}` : software.name
}

function ruleText(rule: PeerRule): string {
  const versions = rule.versionBelow === undefined ? 'any version' : `versions below ${rule.versionBelow}`
  return `federation with ${rule.product} (${versions}) is refused by policy`
}

/**
 * Reads a XEP-0092 result `<iq type='result'><query xmlns='jabber:iq:version'>`.
 * Undefined for an error, another payload, or a result without a name: all count
 * as "the peer did not answer".
 */
export function parsePeerSoftware(iq: Element): PeerSoftware | undefined {
  if (!iq.is('iq') || iq.attrs.type !== 'result') return undefined
  const query = iq.getChild('query', NS_VERSION)
  const name = query?.getChildText('name')?.trim()
  if (!query || !name) return undefined
  const version = query.getChildText('version')?.trim()
  const os = query.getChildText('os')?.trim()
  return { name, ...(version ? { version } : {}), ...(os ? { os } : {}) }
}

/** Per remote domain: what the peer answered, or undefined when it did not. */
export type PeerSoftwareCache = TtlCache<string, PeerSoftware | undefined>

/** Query each peer once per `ttlMs` instead of on every new stream. */
export function createPeerSoftwareCache(options: TtlCacheOptions): PeerSoftwareCache {
  return createTtlCache<string, PeerSoftware | undefined>(options)
}
